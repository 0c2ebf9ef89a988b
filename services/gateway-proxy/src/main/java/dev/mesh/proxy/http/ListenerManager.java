package dev.mesh.proxy.http;

import dev.mesh.proxy.model.Listener;
import dev.mesh.proxy.model.ListenerView;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps one set of HTTP servers (HTTP/1.1 and h2c) bound per applied listener. Servers look the view up per
 * request, so route, cluster and endpoint changes take effect without rebinding; only a listener that is
 * added, removed or moved to another address opens or closes sockets. Called from one thread only.
 */
public final class ListenerManager {

    private static final Logger LOG = Logger.getLogger(ListenerManager.class);

    private final Vertx vertx;
    private final RouterHandler router;
    private final int serversPerListener;
    private final Map<String, Bound> bound = new HashMap<>();

    private record Bound(Listener listener, List<HttpServer> servers) {}

    public ListenerManager(Vertx vertx, RouterHandler router, int serversPerListener) {
        this.vertx = vertx;
        this.router = router;
        this.serversPerListener = serversPerListener;
    }

    /** Opens and closes servers so that exactly the given listeners are bound; completes when all have tried. */
    public Future<Void> reconcile(Map<String, ListenerView> views) {
        List<Future<?>> pending = new ArrayList<>();
        for (var it = bound.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            ListenerView v = views.get(e.getKey());
            if (v == null || !served(v.listener()) || !sameSocket(v.listener(), e.getValue().listener())) {
                e.getValue().servers().forEach(s -> pending.add(s.close()));
                it.remove();
            }
        }
        for (ListenerView v : views.values()) {
            Listener l = v.listener();
            if (bound.containsKey(l.name()) || !served(l)) {
                continue;
            }
            List<HttpServer> servers = new ArrayList<>();
            for (int i = 0; i < serversPerListener; i++) {
                HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(true)
                        .setHandle100ContinueAutomatically(false).setTcpNoDelay(true))
                        .requestHandler(router.forListener(l.name()));
                servers.add(server);
                pending.add(server.listen(l.port(), l.address()).onFailure(e ->
                        LOG.errorf("listener %s cannot bind %s:%d: %s", l.name(), l.address(), l.port(), e.getMessage())));
            }
            bound.put(l.name(), new Bound(l, servers));
            LOG.infof("listener %s on %s:%d", l.name(), l.address(), l.port());
        }
        return Future.join(pending).mapEmpty();
    }

    /** HTTP listeners that own a socket; TCP listeners (the sidecar's capture listeners among them) are not bound here. */
    private static boolean served(Listener l) {
        return l.bindToPort() && l.http();
    }

    private static boolean sameSocket(Listener a, Listener b) {
        return a.port() == b.port() && a.address().equals(b.address());
    }

    public Future<Void> close() {
        List<Future<?>> pending = new ArrayList<>();
        bound.values().forEach(b -> b.servers().forEach(s -> pending.add(s.close())));
        bound.clear();
        return Future.join(pending).mapEmpty();
    }
}
