package dev.mesh.cli.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A loopback stand-in for a config-distributor replica's debug HTTP port ({@code /debug/config_dump?proxyID=},
 * 404 for a proxy not connected to it; {@code /debug/syncz}) and for a proxy's admin ({@code /config_dump}).
 */
public final class FakeDebugServer implements AutoCloseable {

    private final HttpServer server;
    /** Config dumps by proxy id ({@code <pod>.<namespace>}). */
    public final Map<String, String> configDumps = new ConcurrentHashMap<>();
    /** The body of {@code /debug/syncz}. */
    public volatile String syncz = "[]";
    /** The body of {@code /config_dump}, the admin endpoint's; null answers 404. */
    public volatile String adminConfigDump;

    public FakeDebugServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String path = exchange.getRequestURI().getPath();
            String query = exchange.getRequestURI().getRawQuery();
            int status = 404;
            String body = "{\"error\":\"not found\"}";
            if (path.equals("/debug/config_dump")) {
                String id = query != null && query.startsWith("proxyID=")
                        ? URLDecoder.decode(query.substring("proxyID=".length()), StandardCharsets.UTF_8) : "";
                String dump = configDumps.get(id);
                if (dump != null) {
                    status = 200;
                    body = dump;
                } else {
                    body = "{\"error\":\"proxy " + id + " is not connected to this replica\"}";
                }
            } else if (path.equals("/debug/syncz")) {
                status = 200;
                body = syncz;
            } else if (path.equals("/config_dump") && adminConfigDump != null) {
                status = 200;
                body = adminConfigDump;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("content-type", "application/json");
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public String hostPort() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
