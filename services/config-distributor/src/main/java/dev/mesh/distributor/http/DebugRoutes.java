package dev.mesh.distributor.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.mesh.distributor.DistributorMain;
import dev.mesh.distributor.xds.ConfigDump;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.Optional;
import org.jboss.logging.Logger;

/** {@code /debug/*}: what this replica sends to whom, as istiod's debug endpoints show it. */
@Singleton
public class DebugRoutes {

    private static final Logger LOG = Logger.getLogger(DebugRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

    private final DistributorMain main;

    DebugRoutes(DistributorMain main) {
        this.main = main;
    }

    void routes(@Observes Router router) {
        router.get("/debug/syncz").handler(ctx -> json(ctx, 200, main.registry().statuses()));
        router.get("/debug/config_dump").blockingHandler(this::configDump);
        router.get("/debug/endpointz").handler(ctx -> json(ctx, 200,
                main.watcher().index() == null ? java.util.List.of() : ConfigDump.endpointz(main.watcher().index())));
    }

    private void configDump(RoutingContext ctx) {
        String proxyId = ctx.request().getParam("proxyID");
        if (proxyId == null || proxyId.isBlank()) {
            json(ctx, 400, java.util.Map.of("error", "the query parameter proxyID (<pod>.<namespace>) is required"));
            return;
        }
        Optional<String> dump;
        try {
            dump = ConfigDump.forProxy(main.registry(), main.watcher(), proxyId);
        } catch (RuntimeException e) {
            LOG.errorf(e, "config_dump of %s failed", proxyId);
            json(ctx, 500, java.util.Map.of("error", "cannot build the config dump of " + proxyId + ": " + e));
            return;
        }
        if (dump.isEmpty()) {
            json(ctx, 404, java.util.Map.of("error", "proxy " + proxyId + " is not connected to this replica"));
            return;
        }
        ctx.response().putHeader("content-type", "application/json").end(dump.get());
    }

    private static void json(RoutingContext ctx, int status, Object body) {
        try {
            ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
                    .end(JSON.writeValueAsString(body));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            ctx.fail(e);
        }
    }
}
