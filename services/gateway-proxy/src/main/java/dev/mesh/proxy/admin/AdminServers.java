package dev.mesh.proxy.admin;

import dev.mesh.proxy.metrics.ProxyStats;
import dev.mesh.proxy.xds.AdsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpMethod;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The proxy's three small HTTP servers: readiness {@code /healthz/ready} on the health port, Prometheus
 * {@code /stats/prometheus} on the stats port, and the admin API ({@code /config_dump}, {@code /ready},
 * {@code /clusters}, {@code /listeners}) on loopback only.
 */
public final class AdminServers {

    private static final Logger LOG = Logger.getLogger(AdminServers.class);

    private final Vertx vertx;
    private final ProxyStats stats;
    private final BooleanSupplier ready;
    private final Supplier<AdsClient.Applied> applied;
    private HttpServer health;
    private HttpServer prometheus;
    private HttpServer admin;

    private final Supplier<Map<String, Long>> serverStats;
    private final Runnable quit;

    /**
     * @param serverStats the proxy's own counters and gauges for {@code /stats}, by Envoy-style name
     * @param quit what {@code POST /quitquitquit} does (the launcher drains and exits the process)
     */
    public AdminServers(Vertx vertx, ProxyStats stats, BooleanSupplier ready, Supplier<AdsClient.Applied> applied,
            Supplier<Map<String, Long>> serverStats, Runnable quit) {
        this.vertx = vertx;
        this.stats = stats;
        this.ready = ready;
        this.applied = applied;
        this.serverStats = serverStats;
        this.quit = quit;
    }

    public Future<Void> start(String adminHost, int adminPort, int healthPort, int prometheusPort) {
        health = vertx.createHttpServer().requestHandler(this::health);
        prometheus = vertx.createHttpServer().requestHandler(this::prometheus);
        admin = vertx.createHttpServer().requestHandler(this::admin);
        return Future.all(health.listen(healthPort, "0.0.0.0"), prometheus.listen(prometheusPort, "0.0.0.0"),
                admin.listen(adminPort, adminHost)).mapEmpty();
    }

    public int healthPort() {
        return health.actualPort();
    }

    public int prometheusPort() {
        return prometheus.actualPort();
    }

    public int adminPort() {
        return admin.actualPort();
    }

    private void health(HttpServerRequest req) {
        if (!req.path().equals("/healthz/ready")) {
            req.response().setStatusCode(404).end();
        } else if (ready.getAsBoolean()) {
            req.response().setStatusCode(200).end();
        } else {
            req.response().setStatusCode(503).end("no config applied yet: waiting for the control plane\n");
        }
    }

    private void prometheus(HttpServerRequest req) {
        if (!req.path().equals("/stats/prometheus")) {
            req.response().setStatusCode(404).end();
            return;
        }
        req.response().putHeader("content-type", "text/plain; version=0.0.4").end(stats.renderPrometheus());
    }

    private void admin(HttpServerRequest req) {
        switch (req.path()) {
            case "/ready" -> {
                boolean r = ready.getAsBoolean();
                req.response().setStatusCode(r ? 200 : 503).end(r ? "LIVE\n" : "PRE_INITIALIZING\n");
            }
            case "/config_dump" -> vertx.<String>executeBlocking(() -> ConfigDump.json(applied.get()), false)
                    .onSuccess(json -> req.response().putHeader("content-type", "application/json").end(json))
                    .onFailure(e -> {
                        LOG.warnf(e, "cannot render /config_dump");
                        req.response().setStatusCode(500).end("cannot render the config dump: " + e.getMessage() + "\n");
                    });
            case "/listeners" -> {
                AdsClient.Applied a = applied.get();
                StringBuilder b = new StringBuilder();
                if (a != null) {
                    a.views().values().forEach(v -> b.append(v.listener().name()).append("::")
                            .append(v.listener().address()).append(':').append(v.listener().port()).append('\n'));
                }
                req.response().end(b.toString());
            }
            case "/clusters" -> {
                AdsClient.Applied a = applied.get();
                StringBuilder b = new StringBuilder();
                if (a != null) {
                    a.views().values().forEach(v -> v.endpoints().forEach((cluster, eps) -> eps.forEach(e ->
                            b.append(cluster).append("::").append(e.key()).append("::weight::").append(e.weight())
                                    .append('\n'))));
                }
                req.response().end(b.toString());
            }
            case "/stats" -> {
                Map<String, Long> all = new TreeMap<>(serverStats.get());
                all.putAll(stats.envoyCounters());
                StringBuilder b = new StringBuilder();
                all.forEach((name, value) -> b.append(name).append(": ").append(value).append('\n'));
                req.response().putHeader("content-type", "text/plain").end(b.toString());
            }
            case "/quitquitquit" -> {
                if (req.method() != HttpMethod.POST) {
                    req.response().setStatusCode(405).putHeader("allow", "POST").end("use POST /quitquitquit\n");
                    return;
                }
                LOG.info("POST /quitquitquit: draining and exiting");
                req.response().end("OK\n").onComplete(ar -> quit.run());
            }
            case "/logging" -> logging(req);
            default -> req.response().setStatusCode(404).end();
        }
    }

    private void logging(HttpServerRequest req) {
        if (req.method() == HttpMethod.GET) {
            req.response().putHeader("content-type", "text/plain").end(LogLevels.list());
            return;
        }
        if (req.method() != HttpMethod.POST) {
            req.response().setStatusCode(405).putHeader("allow", "GET, POST").end();
            return;
        }
        if (req.params().isEmpty()) {
            req.response().setStatusCode(400).end("usage: POST /logging?level=<level> or /logging?<logger>=<level>\n"
                    + LogLevels.list());
            return;
        }
        StringBuilder changed = new StringBuilder();
        try {
            for (var p : req.params()) {
                changed.append(LogLevels.set(p.getKey(), p.getValue())).append('\n');
            }
        } catch (IllegalArgumentException e) {
            req.response().setStatusCode(400).end(e.getMessage() + "\n");
            return;
        }
        LOG.infof("log levels changed through /logging: %s", changed.toString().trim());
        req.response().putHeader("content-type", "text/plain").end(changed + LogLevels.list());
    }

    public Future<Void> close() {
        return Future.all(List.of(health.close(), prometheus.close(), admin.close())).mapEmpty();
    }
}
