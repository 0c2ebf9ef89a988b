package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.ProxyHarness.get;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.http.Balancers;
import dev.mesh.proxy.http.RequestRecord;
import dev.mesh.proxy.http.RouterHandler;
import dev.mesh.proxy.metrics.ProxyStats;
import dev.mesh.proxy.model.ListenerView;
import dev.mesh.proxy.telemetry.SpanExporter;
import dev.mesh.proxy.telemetry.SpanMapper;
import dev.mesh.proxy.testing.OtlpReceiver;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.testing.ScenarioProxy;
import dev.mesh.proxy.testing.TestCa;
import dev.mesh.proxy.tls.InboundTls;
import dev.mesh.proxy.tls.PeerIdentity;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TrafficDirection;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Requests a proxy receives as their destination (an INBOUND listener): plain text is reported with
 * {@code connection_security_policy=none} and exported, since no mesh proxy reported it; a mutual TLS request
 * carries the client certificate's principal, {@code mutual_tls}, and is left to the sending proxy to export.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InboundRecordScenarioTest {

    static final String CLUSTER = clusterName("", "ratings.shop.svc.cluster.local");
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";

    @TempDir
    static Path dir;
    OtlpReceiver receiver;
    ScenarioProxy scenario;
    HttpClient client;
    ListenerView inboundView;
    final Queue<RequestRecord> records = new ConcurrentLinkedQueue<>();

    @BeforeAll
    void start() throws Exception {
        receiver = new OtlpReceiver();
        scenario = ScenarioProxy.start(dir, "ratings", (cp, backend, port) -> {
            cp.set(XdsState.CDS, List.of(edsCluster(CLUSTER, Cluster.LbPolicy.ROUND_ROBIN)));
            cp.set(XdsState.EDS, List.of(endpoints(CLUSTER, "ratings-v1;shop;ratings;v1;@" + backend.port())));
            cp.set(XdsState.RDS, List.of(Resources.routes(port, host("ratings", List.of("*"),
                    route("all", prefix("/"), toCluster(CLUSTER))))));
        });
        scenario.cp.set(XdsState.LDS, List.of(Resources.httpListener(scenario.port).toBuilder()
                .setTrafficDirection(TrafficDirection.INBOUND).build()));
        await("the inbound listener", Duration.ofSeconds(10), () -> scenario.proxy.applied().views().values().stream()
                .anyMatch(v -> v.listener().inbound()));
        inboundView = scenario.proxy.applied().views().values().stream().filter(v -> v.listener().inbound())
                .findFirst().orElseThrow();
        scenario.proxy.observe(records::add);
        scenario.proxy.exportTelemetry(new SpanExporter.Settings(receiver.address(), 16, 64, Duration.ofMillis(20),
                Duration.ofSeconds(5)));
        client = ProxyHarness.client(scenario.vertx, false);
    }

    @AfterAll
    void stop() throws Exception {
        scenario.close();
        receiver.close();
    }

    @Test
    void plainTextInbound_isReportedByTheDestination_policyNone_andExported() throws Exception {
        String traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        assertThat(get(client, scenario.port, "ratings:9080", "/plain", Map.of("traceparent", traceparent)).status())
                .isEqualTo(200);
        await("the record", Duration.ofSeconds(5), () -> records.stream().anyMatch(r -> r.path().equals("/plain")));
        RequestRecord r = records.stream().filter(x -> x.path().equals("/plain")).findFirst().orElseThrow();
        assertThat(r.reporter()).isEqualTo("destination");
        assertThat(r.connectionSecurityPolicy()).isEqualTo("none");
        assertThat(r.source()).isEqualTo(RequestRecord.Workload.UNKNOWN);
        assertThat(r.destination().name()).as("this proxy's own workload").isEqualTo("istio-ingressgateway");

        await("its span", Duration.ofSeconds(10), () -> !receiver.withTraceId("0af7651916cd43dd8448eb211c80319c").isEmpty());
        OtlpReceiver.Received span = receiver.withTraceId("0af7651916cd43dd8448eb211c80319c").get(0);
        assertThat(span.string("reporter")).hasValue("destination");
        assertThat(span.string("source_workload")).hasValue("unknown");
        assertThat(span.string("connection_security_policy")).hasValue("none");
        assertThat(span.span().getKind()).isEqualTo(io.opentelemetry.proto.trace.v1.Span.SpanKind.SPAN_KIND_SERVER);
    }

    @Test
    void mutualTlsInbound_carriesThePeersPrincipal_andIsNotExportedByTheDestination() throws Exception {
        TestCa ca = new TestCa("mesh", Clock.systemUTC());
        PeerIdentity reviews = new PeerIdentity(ca.issue(REVIEWS, Duration.ofHours(1)).leaf());
        ProxyStats stats = new ProxyStats();
        Queue<RequestRecord> seen = new ConcurrentLinkedQueue<>();
        var vertx = scenario.vertx;
        // The router as the sidecar's inbound capture drives it, after TLS was terminated on the captured socket.
        RouterHandler router = new RouterHandler(vertx, vertx.createHttpClient(), vertx.createHttpClient(),
                new Balancers(Clock.systemUTC()), stats, new RouterHandler.Settings(65536, "ratings-v1", "shop",
                        "ratings", "v1"), name -> inboundView);
        router.useLocalPrincipal(() -> RATINGS);
        router.observe(seen::add);
        HttpServer server = vertx.createHttpServer().requestHandler(req -> router.handle(req, inboundView, null,
                new InboundTls.Outcome(true, Optional.of(reviews), null)));
        int port = server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)
                .actualPort();
        try {
            assertThat(get(client, port, "ratings:9080", "/mtls", Map.of()).status()).isEqualTo(200);
            await("the record", Duration.ofSeconds(5), () -> !seen.isEmpty());
            RequestRecord r = seen.peek();
            assertThat(r.reporter()).isEqualTo("destination");
            assertThat(r.connectionSecurityPolicy()).isEqualTo("mutual_tls");
            assertThat(r.source().principal()).isEqualTo(REVIEWS);
            assertThat(r.source().namespace()).as("the namespace the principal names").isEqualTo("shop");
            assertThat(r.destination()).isEqualTo(new RequestRecord.Workload("ratings-v1", "shop", "ratings", "v1",
                    RATINGS));
            assertThat(SpanMapper.exported(r)).as("the calling proxy exports it").isFalse();
            assertThat(stats.renderPrometheus()).contains("reporter=\"destination\"",
                    "source_principal=\"" + REVIEWS + "\"", "destination_principal=\"" + RATINGS + "\"",
                    "connection_security_policy=\"mutual_tls\"", "destination_app=\"ratings\"");
        } finally {
            server.close();
        }
    }
}
