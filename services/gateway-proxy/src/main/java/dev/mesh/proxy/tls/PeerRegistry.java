package dev.mesh.proxy.tls;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Hands a connection's verified peer from where TLS ends (the capture listener) to where its requests are served
 * (the in-process HTTP router), which sees the same client address and port (the PROXY protocol header carries
 * them). Registered for the life of the connection.
 */
public final class PeerRegistry {

    private final Map<String, InboundTls.Outcome> byClient = new ConcurrentHashMap<>();

    /** @return removes the entry (call when the connection closes) */
    public Runnable register(String clientIp, int clientPort, InboundTls.Outcome outcome) {
        String key = key(clientIp, clientPort);
        byClient.put(key, outcome);
        return () -> byClient.remove(key, outcome);
    }

    /** The outcome for a client address, empty for a connection that did not come through TLS termination. */
    public Optional<InboundTls.Outcome> lookup(String clientIp, int clientPort) {
        return Optional.ofNullable(byClient.get(key(clientIp, clientPort)));
    }

    public int size() {
        return byClient.size();
    }

    private static String key(String ip, int port) {
        return ip + "|" + port;
    }
}
