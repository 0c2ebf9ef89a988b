package dev.mesh.telemetry.http;

import dev.mesh.telemetry.TelemetryMain;
import dev.mesh.telemetry.graph.BadQueryException;
import dev.mesh.telemetry.graph.GraphBuilder;
import dev.mesh.telemetry.graph.GraphQuery;
import dev.mesh.telemetry.model.RequestRecord;
import dev.mesh.telemetry.traces.TraceStore;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The HTTP API: {@code GET /api/namespaces/graph} (Kiali's graph), {@code GET /api/traces} (most recent, or by
 * {@code service}) and {@code GET /api/traces/{traceId}}. Errors are mapped to HTTP status here, in one place:
 * a bad parameter is 400 naming it, anything else 500.
 */
@Singleton
public class ApiRoutes {

    private static final Logger LOG = Logger.getLogger(ApiRoutes.class);
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    static final int DEFAULT_TRACE_LIMIT = 20;
    static final int MAX_TRACE_LIMIT = 1000;

    private final TelemetryMain main;

    ApiRoutes(TelemetryMain main) {
        this.main = main;
    }

    void routes(@Observes Router router) {
        router.get("/api/namespaces/graph").blockingHandler(this::graph, false);
        router.get("/api/traces").blockingHandler(this::recentTraces, false);
        router.get("/api/traces/:traceId").blockingHandler(this::trace, false);
        router.route("/api/*").failureHandler(ApiRoutes::failure);
    }

    private void graph(RoutingContext ctx) {
        GraphQuery query = GraphQuery.parse(ctx.request()::getParam, main.aggregator().retention());
        JsonObject graph = GraphBuilder.build(main.aggregator().snapshot(query.duration()), query);
        json(ctx, 200, graph);
    }

    private void recentTraces(RoutingContext ctx) {
        String service = ctx.request().getParam("service");
        if (service != null && service.isBlank()) {
            throw new BadQueryException("service", "service is empty: give a service host name, name or app");
        }
        int limit = limit(ctx.request().getParam("limit"));
        JsonArray traces = new JsonArray();
        for (TraceStore.Trace trace : main.traces().recent(service, limit)) {
            traces.add(summary(trace));
        }
        json(ctx, 200, new JsonObject().put("traces", traces));
    }

    private void trace(RoutingContext ctx) {
        String traceId = ctx.pathParam("traceId").toLowerCase();
        if (!TRACE_ID.matcher(traceId).matches()) {
            throw new BadQueryException("traceId", "trace id \"" + ctx.pathParam("traceId")
                    + "\" is not 32 hexadecimal digits");
        }
        TraceStore.Trace trace = main.traces().byId(traceId);
        if (trace.spans().isEmpty()) {
            json(ctx, 404, new JsonObject().put("error", "no span of trace " + traceId
                    + " is held (unknown, or older than the most recent spans kept)"));
            return;
        }
        JsonArray spans = new JsonArray();
        trace.spans().forEach(span -> spans.add(span(span)));
        json(ctx, 200, summary(trace).put("spans", spans));
    }

    private static int limit(String value) {
        if (value == null || value.isEmpty()) {
            return DEFAULT_TRACE_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value);
            if (limit >= 1 && limit <= MAX_TRACE_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw new BadQueryException("limit", "limit \"" + value + "\" is not a number from 1 to " + MAX_TRACE_LIMIT);
    }

    private static JsonObject summary(TraceStore.Trace trace) {
        RequestRecord first = trace.spans().get(0);
        return new JsonObject()
                .put("traceId", trace.traceId())
                .put("start", Instant.ofEpochSecond(0, trace.startEpochNanos()).toString())
                .put("durationMs", (trace.endEpochNanos() - trace.startEpochNanos()) / 1_000_000.0)
                .put("spanCount", trace.spans().size())
                .put("rootName", first.name())
                .put("service", first.destinationService())
                .put("error", trace.hasError());
    }

    private static JsonObject span(RequestRecord r) {
        return new JsonObject()
                .put("spanId", r.spanId())
                .put("parentSpanId", r.parentSpanId())
                .put("name", r.name())
                .put("start", Instant.ofEpochSecond(0, r.startEpochNanos()).toString())
                .put("durationMs", r.durationNanos() / 1_000_000.0)
                .put("reporter", r.reporter())
                .put("source", peer(r.source()))
                .put("destination", peer(r.destination()))
                .put("destinationService", r.destinationService())
                .put("protocol", r.protocol())
                .put("responseCode", r.responseCode())
                .put("grpcStatus", r.grpcStatus())
                .put("responseFlags", r.responseFlags())
                .put("mutualTls", r.mutualTls())
                .put("requestBytes", r.requestBytes())
                .put("responseBytes", r.responseBytes());
    }

    private static JsonObject peer(dev.mesh.telemetry.model.Peer p) {
        return new JsonObject().put("namespace", p.namespace()).put("workload", p.workload()).put("app", p.app())
                .put("version", p.version()).put("principal", p.principal());
    }

    private static void failure(RoutingContext ctx) {
        Throwable failure = ctx.failure();
        if (failure instanceof BadQueryException bad) {
            json(ctx, 400, new JsonObject().put("error", bad.getMessage()).put("parameter", bad.parameter()));
            return;
        }
        if (failure == null) {
            ctx.next();
            return;
        }
        LOG.errorf(failure, "%s %s failed", ctx.request().method(), ctx.request().uri());
        json(ctx, 500, new JsonObject().put("error", "internal error: " + failure));
    }

    private static void json(RoutingContext ctx, int status, JsonObject body) {
        ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
    }
}
