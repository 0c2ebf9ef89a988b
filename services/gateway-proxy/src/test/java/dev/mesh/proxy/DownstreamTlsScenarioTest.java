package dev.mesh.proxy;

import static dev.mesh.proxy.testing.ProxyHarness.await;
import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Any;
import dev.mesh.proxy.testing.Backend;
import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.ProxyHarness;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.FilterChainMatch;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Gateway's HTTPS server as config-distributor emits it (TLS chain with SNI, certificate by SDS name
 * {@code kubernetes://<credentialName>}, ALPN h2 and http/1.1), and the headers a proxy adds and drops.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DownstreamTlsScenarioTest {

    static final String SERVICE = "echo.demo.svc.cluster.local";
    static final String ECHO = clusterName(null, SERVICE);
    static final String SECURE_HOST = "secure.example.com";

    @TempDir
    static Path dir;
    Vertx vertx;
    Backend backend;
    FakeControlPlane cp;
    GatewayProxy proxy;
    int tlsPort;
    int plainPort;

    @BeforeAll
    void start() throws Exception {
        vertx = Vertx.vertx();
        backend = Backend.start(vertx, "echo-v1");
        Path credentials = dir.resolve("credentials");
        selfSigned(credentials.resolve("secure-cred"), SECURE_HOST);
        tlsPort = ProxyHarness.freePort();
        plainPort = ProxyHarness.freePort();
        cp = new FakeControlPlane().start();
        cp.set(XdsState.CDS, List.of(edsCluster(ECHO, Cluster.LbPolicy.ROUND_ROBIN)));
        cp.set(XdsState.EDS, List.of(endpoints(ECHO, backend.endpoint())));
        String httpsRoutes = "https." + tlsPort + ".https.gw.demo";
        DownstreamTlsContext tls = DownstreamTlsContext.newBuilder().setCommonTlsContext(CommonTlsContext.newBuilder()
                .addAlpnProtocols("h2").addAlpnProtocols("http/1.1")
                .addTlsCertificateSdsSecretConfigs(SdsSecretConfig.newBuilder().setName("kubernetes://secure-cred")
                        .setSdsConfig(Resources.ads()))).build();
        Listener plain = Resources.httpListener(tlsPort);
        Listener https = plain.toBuilder().clearFilterChains().addFilterChains(FilterChain.newBuilder()
                .setFilterChainMatch(FilterChainMatch.newBuilder().addServerNames(SECURE_HOST))
                .setTransportSocket(TransportSocket.newBuilder().setName("envoy.transport_sockets.tls").setTypedConfig(Any.pack(tls)))
                .addFilters(plain.getFilterChains(0).getFilters(0).toBuilder().setTypedConfig(Any.pack(
                        plain.getFilterChains(0).getFilters(0).getTypedConfig().unpack(
                                io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.class)
                                .toBuilder().setRds(io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.Rds
                                        .newBuilder().setRouteConfigName(httpsRoutes).setConfigSource(Resources.ads())).build()))))
                .build();
        cp.set(XdsState.LDS, List.of(https, Resources.httpListener(plainPort)));
        cp.set(XdsState.RDS, List.of(
                Resources.routes(tlsPort, host("secure", List.of(SECURE_HOST, SECURE_HOST + ":" + tlsPort),
                        route("all", prefix("/"), toCluster(ECHO)))).toBuilder().setName(httpsRoutes).build(),
                Resources.routes(plainPort, host("plain", List.of("*"), route("all", prefix("/"), toCluster(ECHO))))));
        proxy = ProxyHarness.startProxy(vertx, cp.address(), dir.resolve("saved.pb"), Duration.ofSeconds(5), credentials);
        await("first config", Duration.ofSeconds(10), proxy::ready);
    }

    @AfterAll
    void stop() throws Exception {
        proxy.close();
        cp.close();
        backend.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** A self-signed certificate for {@code host} laid out as a mounted kubernetes.io/tls Secret. */
    static void selfSigned(Path secretDir, String host) throws Exception {
        Files.createDirectories(secretDir);
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                "-nodes", "-days", "1", "-subj", "/CN=" + host, "-addext", "subjectAltName=DNS:" + host,
                "-keyout", secretDir.resolve("tls.key").toString(), "-out", secretDir.resolve("tls.crt").toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as("openssl: " + out).isZero();
    }

    private record Answer(int status, HttpVersion version, String body, String backend) {}

    private Answer httpsGet(HttpVersion version) throws Exception {
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setSsl(true).setTrustAll(true).setVerifyHost(false)
                .setUseAlpn(true).setProtocolVersion(version).setForceSni(true));
        try {
            CompletableFuture<Answer> answer = new CompletableFuture<>();
            vertx.runOnContext(v -> client.request(new RequestOptions().setServer(SocketAddress.inetSocketAddress(tlsPort, "127.0.0.1"))
                            .setHost(SECURE_HOST).setPort(tlsPort).setURI("/hello").setMethod(HttpMethod.GET))
                    .compose(r -> r.send())
                    .compose(resp -> resp.body().map(b -> new Answer(resp.statusCode(), resp.version(), b.toString(),
                            resp.getHeader("x-backend"))))
                    .onComplete(ar -> {
                        if (ar.succeeded()) {
                            answer.complete(ar.result());
                        } else {
                            answer.completeExceptionally(ar.cause());
                        }
                    }));
            return answer.get(10, TimeUnit.SECONDS);
        } finally {
            client.close();
        }
    }

    @Test
    void httpsWithAlpnH2_isServedOverHttp2() throws Exception {
        Answer a = httpsGet(HttpVersion.HTTP_2);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.version()).isEqualTo(HttpVersion.HTTP_2);
        assertThat(a.backend()).isEqualTo("echo-v1");
        Backend.Seen seen = backend.seen.stream().reduce((x, y) -> y).orElseThrow();
        assertThat(seen.headers().get("x-forwarded-proto")).isEqualTo("https");
    }

    @Test
    void httpsWithAlpnHttp11_isServedOverHttp11() throws Exception {
        Answer a = httpsGet(HttpVersion.HTTP_1_1);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.version()).isEqualTo(HttpVersion.HTTP_1_1);
        assertThat(a.body()).isEqualTo("echo-v1");
    }

    @Test
    void hopByHopHeaders_areDroppedAndProxyHeadersSet() throws Exception {
        HttpClient client = ProxyHarness.client(vertx, false);
        var r = ProxyHarness.send(client, plainPort, "any.example.com", HttpMethod.GET, "/plain",
                java.util.Map.of("keep-alive", "timeout=5", "te", "gzip", "proxy-authorization", "Basic x",
                        "x-forwarded-for", "203.0.113.7"), null).get(10, TimeUnit.SECONDS);
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.headers().get("x-envoy-upstream-service-time")).matches("\\d+");
        Backend.Seen seen = backend.seen.stream().filter(s -> s.path().equals("/plain")).findFirst().orElseThrow();
        for (String hopByHop : List.of("keep-alive", "te", "proxy-authorization", "upgrade")) {
            assertThat(seen.headers().contains(hopByHop)).as(hopByHop).isFalse();
        }
        assertThat(seen.xff()).isEqualTo("203.0.113.7,127.0.0.1");
        assertThat(seen.requestId()).matches("[0-9a-f-]{36}");
        client.close();
    }
}
