package dev.mesh.proxy.http;

import io.vertx.core.http.HttpConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Graceful drain, Envoy's way as Istio uses it on SIGTERM: from {@link #start} on, new downstream connections are
 * closed as soon as they are accepted, HTTP/2 connections get a GOAWAY, and HTTP/1.1 responses carry
 * {@code connection: close}, while the requests in flight run to completion. The owner waits for
 * {@link #inFlight()} to reach zero, or for its bound, before it closes everything.
 */
public final class DrainControl {

    /**
     * Open downstream connections, held weakly: Vert.x forgets a connection once it is closed, and so does this
     * set. (A close handler would do, but setting one on an HTTP/1.1 connection breaks its later switch to a
     * WebSocket tunnel in Vert.x 4.5.)
     */
    private final Set<HttpConnection> connections = Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    private final LongAdder inFlight = new LongAdder();
    private volatile boolean draining;

    /** For a server's {@code connectionHandler}: keeps the connection for the drain, or closes it when draining. */
    public void track(HttpConnection connection) {
        if (draining) {
            connection.close();
            return;
        }
        connections.add(connection);
    }

    public boolean draining() {
        return draining;
    }

    /** Stops taking connections and asks HTTP/2 clients to go away; requests in flight keep running. */
    public void start(Duration bound) {
        draining = true;
        List<HttpConnection> open;
        synchronized (connections) {
            open = new ArrayList<>(connections);
        }
        for (HttpConnection c : open) {
            if (c instanceof io.vertx.core.http.impl.Http2ServerConnection) {
                c.shutdown(Math.max(1, bound.toMillis()), TimeUnit.MILLISECONDS);
            }
        }
    }

    void requestStarted() {
        inFlight.increment();
    }

    void requestEnded() {
        inFlight.decrement();
    }

    /** Requests accepted and not yet answered. */
    public long inFlight() {
        return inFlight.sum();
    }
}
