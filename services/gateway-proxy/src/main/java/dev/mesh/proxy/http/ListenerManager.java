package dev.mesh.proxy.http;

import dev.mesh.proxy.model.DownstreamTls;
import dev.mesh.proxy.model.Listener;
import dev.mesh.proxy.model.ListenerView;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Keeps one set of HTTP servers (HTTP/1.1 and h2c, or TLS with ALPN h2/http/1.1) bound per socket of the applied
 * listeners. Servers look the view up per request, so route, cluster and endpoint changes take effect without
 * rebinding; only a socket whose listeners (filter chains, certificates) change is closed and bound again.
 * Several TLS chains on one socket (a Gateway's HTTPS servers on 443) share it: the certificate is picked by
 * SNI, and so is the chain whose routes serve the request. Called from one thread only (the xDS executor), which
 * may block to read certificate files.
 */
public final class ListenerManager {

    private static final Logger LOG = Logger.getLogger(ListenerManager.class);
    /** SDS names config-distributor gives a Gateway's credentialName, as Istio does. */
    private static final String KUBERNETES_SDS_PREFIX = "kubernetes://";

    private final Vertx vertx;
    private final RouterHandler router;
    private final int serversPerListener;
    private final Path credentialsDir;
    private final Map<String, Bound> bound = new HashMap<>();

    private record Bound(List<Listener> listeners, List<HttpServer> servers) {}

    /**
     * @param credentialsDir where SDS secrets are read from: {@code <dir>/<name>/tls.crt} and {@code tls.key},
     *     the layout of a mounted {@code kubernetes.io/tls} Secret, {@code <name>} without {@code kubernetes://}
     */
    public ListenerManager(Vertx vertx, RouterHandler router, int serversPerListener, Path credentialsDir) {
        this.vertx = vertx;
        this.router = router;
        this.serversPerListener = serversPerListener;
        this.credentialsDir = credentialsDir;
    }

    /** Opens and closes servers so that exactly the given listeners are bound; completes when all have tried. */
    public Future<Void> reconcile(Map<String, ListenerView> views) {
        Map<String, List<Listener>> wanted = new LinkedHashMap<>();
        for (ListenerView v : views.values()) {
            if (served(v.listener())) {
                wanted.computeIfAbsent(v.listener().socketKey(), k -> new ArrayList<>()).add(v.listener());
            }
        }
        // Chains that name servers are tried before the catch-all one.
        wanted.values().forEach(g -> g.sort(Comparator.comparing(l -> l.serverNames().isEmpty())));
        List<Future<?>> pending = new ArrayList<>();
        // A socket whose chains changed is bound again only once its old servers are closed: Vert.x shares one
        // acceptor among the servers of a port, and a listen joining it while it closes is left with no socket.
        Map<String, Future<?>> closing = new java.util.HashMap<>();
        for (var it = bound.entrySet().iterator(); it.hasNext();) {
            var e = it.next();
            if (!e.getValue().listeners().equals(wanted.get(e.getKey()))) {
                List<Future<?>> closed = new ArrayList<>();
                e.getValue().servers().forEach(s -> closed.add(s.close()));
                Future<?> all = Future.join(closed);
                closing.put(e.getKey(), all);
                pending.add(all);
                it.remove();
            }
        }
        for (var e : wanted.entrySet()) {
            if (bound.containsKey(e.getKey())) {
                continue;
            }
            List<Listener> group = e.getValue();
            HttpServerOptions options;
            try {
                options = options(group);
            } catch (IOException | IllegalArgumentException ex) {
                LOG.errorf("listener %s on %s not bound: %s", names(group), e.getKey(), ex.getMessage());
                continue;
            }
            Handler<HttpServerRequest> handler = group.size() == 1 ? router.forListener(group.get(0).name())
                    : router.forChains(group);
            Listener first = group.get(0);
            List<HttpServer> servers = new ArrayList<>();
            for (int i = 0; i < serversPerListener; i++) {
                HttpServer server = vertx.createHttpServer(options).requestHandler(handler)
                        .connectionHandler(router.drain()::track);
                servers.add(server);
                Future<?> before = closing.getOrDefault(e.getKey(), Future.succeededFuture());
                pending.add(before.transform(closed -> server.listen(first.port(), first.address())).onFailure(ex ->
                        LOG.errorf("listener %s cannot bind %s: %s", names(group), e.getKey(), ex.getMessage())));
            }
            bound.put(e.getKey(), new Bound(group, servers));
            LOG.infof("listener %s on %s%s", names(group), e.getKey(), options.isSsl() ? " (TLS, ALPN "
                    + options.getAlpnVersions() + ")" : "");
        }
        return Future.join(pending).mapEmpty();
    }

    private HttpServerOptions options(List<Listener> group) throws IOException {
        HttpServerOptions options = new HttpServerOptions().setHttp2ClearTextEnabled(true)
                .setHandle100ContinueAutomatically(false).setTcpNoDelay(true);
        List<Listener> tls = group.stream().filter(l -> l.tls() != null).toList();
        if (tls.isEmpty()) {
            return options;
        }
        if (tls.size() != group.size()) {
            throw new IllegalArgumentException("plaintext and TLS filter chains on one socket are not supported");
        }
        PemKeyCertOptions pem = new PemKeyCertOptions();
        Set<HttpVersion> alpn = new LinkedHashSet<>();
        for (Listener l : tls) {
            for (DownstreamTls.Certificate c : l.tls().certificates()) {
                Buffer[] chainAndKey = load(c);
                pem.addCertValue(chainAndKey[0]).addKeyValue(chainAndKey[1]);
            }
            l.tls().alpn().forEach(p -> alpn.add(p.equals("h2") ? HttpVersion.HTTP_2 : HttpVersion.HTTP_1_1));
        }
        return options.setSsl(true).setKeyCertOptions(pem).setSni(pem.getCertValues().size() > 1).setUseAlpn(true)
                .setAlpnVersions(List.copyOf(alpn));
    }

    /** The PEM certificate chain and private key of one certificate source. */
    private Buffer[] load(DownstreamTls.Certificate c) throws IOException {
        if (c.chain() != null) {
            return new Buffer[] {Buffer.buffer(c.chain()), Buffer.buffer(c.key())};
        }
        Path chain;
        Path key;
        if (c.chainFile() != null) {
            chain = Path.of(c.chainFile());
            key = Path.of(c.keyFile());
        } else {
            String name = c.sdsName().startsWith(KUBERNETES_SDS_PREFIX)
                    ? c.sdsName().substring(KUBERNETES_SDS_PREFIX.length()) : c.sdsName();
            if (name.isEmpty() || name.contains("/") || name.startsWith(".")) {
                throw new IOException("SDS secret \"" + c.sdsName() + "\" is not a usable credential name");
            }
            chain = credentialsDir.resolve(name).resolve("tls.crt");
            key = credentialsDir.resolve(name).resolve("tls.key");
        }
        try {
            return new Buffer[] {Buffer.buffer(Files.readAllBytes(chain)), Buffer.buffer(Files.readAllBytes(key))};
        } catch (IOException e) {
            throw new IOException("cannot read " + c.describe() + " (" + chain + ", " + key + "): " + e, e);
        }
    }

    private static String names(List<Listener> group) {
        return group.size() == 1 ? group.get(0).name() : group.stream().map(Listener::name).toList().toString();
    }

    /** HTTP listeners that own a socket; TCP listeners (the sidecar's capture listeners among them) are not bound here. */
    private static boolean served(Listener l) {
        return l.bindToPort() && l.http();
    }

    public Future<Void> close() {
        List<Future<?>> pending = new ArrayList<>();
        bound.values().forEach(b -> b.servers().forEach(s -> pending.add(s.close())));
        bound.clear();
        return Future.join(pending).mapEmpty();
    }
}
