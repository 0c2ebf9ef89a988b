package dev.mesh.injector.http;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.injection.InjectionTemplate;
import dev.mesh.injection.Injector;
import dev.mesh.injector.metrics.InjectionMetrics;
import dev.mesh.injector.tls.CertificateIssuer;
import dev.mesh.injector.tls.ServingCertificate;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.PemTrustOptions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The server alone, over a real TLS handshake on loopback. */
class WebhookServerTest {

    private Vertx vertx;
    private WebhookServer server;
    private CertificateIssuer issuer;
    private int port;
    private boolean ready = true;

    @BeforeEach
    void start() throws Exception {
        vertx = Vertx.vertx();
        issuer = new CertificateIssuer(Clock.systemUTC(), Duration.ofHours(1),
                CertificateIssuer.newCa(Clock.systemUTC()),
                CertificateIssuer.serviceNames("injector-webhook", "istio-system"));
        AdmissionHandler handler = new AdmissionHandler(new Injector(), InjectionTemplate::defaults,
                ns -> Map.of("istio-injection", "enabled"), "istio-system",
                new InjectionMetrics(new SimpleMeterRegistry()));
        server = new WebhookServer(vertx, handler, 4096, () -> ready);
        port = server.start("127.0.0.1", 0, issuer.issue()).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
    }

    @AfterEach
    void stop() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private String[] call(ServingCertificate trusted, HttpMethod method, String path, String type, String body)
            throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setVerifyHost(false)
                .setTrustOptions(new PemTrustOptions().addCertValue(Buffer.buffer(trusted.caPem()))));
        RequestOptions o = new RequestOptions().setHost("127.0.0.1").setPort(port).setMethod(method).setURI(path);
        if (type != null) {
            o.putHeader("Content-Type", type);
        }
        try {
            return client.request(o).compose(r -> body == null ? r.send() : r.send(body))
                    .compose(r -> r.body().map(b -> new String[] {String.valueOf(r.statusCode()), b.toString()}))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    @Test
    void readiness_followsTheSupplier() throws Exception {
        ServingCertificate c = issuer.issue();
        assertThat(call(c, HttpMethod.GET, "/healthz/ready", null, null)).containsExactly("200", "ok\n");
        ready = false;
        assertThat(call(c, HttpMethod.GET, "/healthz/ready", null, null)[0]).isEqualTo("503");
    }

    @Test
    void bodyOverTheLimit_is400_andTheConnectionStillServes() throws Exception {
        ServingCertificate c = issuer.issue();
        String[] a = call(c, HttpMethod.POST, "/inject", "application/json", "x".repeat(5000));
        assertThat(a[0]).isEqualTo("400");
        assertThat(a[1]).contains("5000 bytes, more than the limit of 4096");
    }

    @Test
    void unknownPathsAndMethods_are404And405() throws Exception {
        ServingCertificate c = issuer.issue();
        assertThat(call(c, HttpMethod.GET, "/nope", null, null)[0]).isEqualTo("404");
        assertThat(call(c, HttpMethod.GET, "/inject", null, null)[0]).isEqualTo("405");
    }

    @Test
    void wrongContentType_is415() throws Exception {
        assertThat(call(issuer.issue(), HttpMethod.POST, "/inject/", "application/yaml", "{}")[0]).isEqualTo("415");
    }

    @Test
    void updatedCertificate_servesNewConnections() throws Exception {
        CertificateIssuer otherCa = new CertificateIssuer(Clock.systemUTC(), Duration.ofHours(1),
                CertificateIssuer.newCa(Clock.systemUTC()),
                CertificateIssuer.serviceNames("injector-webhook", "istio-system"));
        ServingCertificate next = otherCa.issue();
        server.updateCertificate(next).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        assertThat(call(next, HttpMethod.GET, "/healthz/ready", null, null)[0]).isEqualTo("200");
    }
}
