package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.testing.TestCa;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The distributor's PeerAuthentication and auto mTLS goldens, planned as this proxy will serve them. */
class MeshInboundOutboundTest {

    static final Clock CLOCK = Clock.systemUTC();
    final SecretResolver secrets = new SecretResolver(CertificateStore.of(
            new TestCa("mesh", CLOCK).issue("spiffe://cluster.local/ns/shop/sa/ratings", Duration.ofHours(1))));

    @Test
    void ratings_permissivePort_strictElsewhere() throws Exception {
        MeshInbound inbound = MeshInbound.from(DistributorGoldens.load("peer-authentication/ratings-1.json", "LDS"),
                secrets, CLOCK);
        assertThat(inbound.errors()).isEmpty();

        MeshInbound.PortPlan permissive = inbound.plan(9080);
        assertThat(permissive.detect()).isTrue();
        assertThat(permissive.chainFor(true)).contains("inbound|9080||tls");
        assertThat(permissive.chainFor(false)).contains("inbound|9080||");
        assertThat(permissive.tlsChain().orElseThrow().tls().orElseThrow().requireClientCertificate()).isTrue();
        assertThat(permissive.tlsChain().orElseThrow().tls().orElseThrow().alpn()).containsExactly("h2", "http/1.1");

        assertThat(permissive.tlsChain().orElseThrow().security().xfccMode()).isEqualTo(
                io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
                        .ForwardClientCertDetails.APPEND_FORWARD);

        MeshInbound.PortPlan other = inbound.plan(7777);
        assertThat(other.chainFor(true)).contains("virtualInbound-mtls");
        assertThat(other.chainFor(false)).as("plain text on an unnamed port: the default chain (BlackHole, STRICT)")
                .isEmpty();
        assertThat(other.defaultChain()).contains("BlackHoleCluster");
        assertThat(other.defaultRefuses()).isTrue();
    }

    @Test
    void reviews_disabledPortIsPlain_strictPortBlackholesPlainText() throws Exception {
        MeshInbound inbound = MeshInbound.from(DistributorGoldens.load("peer-authentication/reviews-1.json", "LDS"),
                secrets, CLOCK);
        MeshInbound.PortPlan disabled = inbound.plan(9080);
        assertThat(disabled.detect()).isFalse();
        assertThat(disabled.chainFor(false)).contains("inbound|9080||");
        MeshInbound.PortPlan strict = inbound.plan(9090);
        assertThat(strict.chainFor(true)).contains("inbound|9090||tls");
        assertThat(strict.chainFor(false)).contains("inbound|9090||blackhole");
    }

    @Test
    void authorization_travelsWithItsChain() throws Exception {
        MeshInbound inbound = MeshInbound.from(DistributorGoldens.load("authorization/ratings-1.json", "LDS"), secrets,
                CLOCK);
        var chain = inbound.byName().get(inbound.plan(9080).chainFor(true).orElseThrow());
        var request = new dev.mesh.proxy.rbac.RequestView("GET", "/admin", "ratings", java.util.Map.of(), 9080,
                "10.244.4.2", java.util.Optional.of("spiffe://cluster.local/ns/shop/sa/reviews"), "10.244.4.5",
                "10.244.4.5", "");
        assertThat(chain.security().check(request)).hasValueSatisfying(d -> assertThat(d.reason()).contains("deny-admin"));
        assertThat(HttpChainSecurity.DENY_ALL.check(request)).isPresent();
    }

    @Test
    void autoMtls_tlsToSidecarEndpoints_plainToOthers() throws Exception {
        MeshOutbound outbound = MeshOutbound.from(DistributorGoldens.load("peer-authentication/ratings-1.json", "CDS"),
                DistributorGoldens.load("peer-authentication/ratings-1.json", "EDS"), secrets, CLOCK);
        assertThat(outbound.errors()).isEmpty();
        var eds = DistributorGoldens.load("peer-authentication/ratings-1.json", "EDS");
        // Every endpoint of the goldens, with the TLS the proxy would use for it.
        int tls = 0;
        int plain = 0;
        for (var any : eds) {
            var cla = any.unpack(io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment.class);
            for (var locality : cla.getEndpointsList()) {
                for (var ep : locality.getLbEndpointsList()) {
                    var address = ep.getEndpoint().getAddress().getSocketAddress();
                    String mode = ClusterTls.endpointMatch(ep.getMetadata()).getOrDefault("tlsMode", "");
                    var upstream = outbound.forEndpoint(cla.getClusterName(), address.getAddress(), address.getPortValue());
                    assertThat(upstream.tls().isPresent()).as(cla.getClusterName() + " " + address.getAddress() + " " + mode)
                            .isEqualTo(mode.equals("istio"));
                    if (upstream.tls().isPresent()) {
                        tls++;
                        assertThat(upstream.tls().get().trustManager()).isNotNull();
                        assertThat(upstream.tls().get().keyManager()).isNotNull();
                    } else {
                        plain++;
                    }
                }
            }
        }
        assertThat(tls).isPositive();
        assertThat(plain).isPositive();
        assertThat(outbound.forEndpoint("outbound|80||plain.plain.svc.cluster.local", "10.0.0.1", 80).tls()).isEmpty();
    }

    @Test
    void destinationRuleTls_everyCluster_kubernetesCredentialsRefusedNotPlain() throws Exception {
        MeshOutbound outbound = MeshOutbound.from(DistributorGoldens.load("destination-rule-tls/client-1.json", "CDS"),
                List.of(), secrets, CLOCK);
        assertThat(outbound.forEndpoint("outbound|9080|v1|reviews.shop.svc.cluster.local", "10.244.1.1", 9080).tls())
                .isPresent();
        assertThat(outbound.forEndpoint("outbound|9090||reviews.shop.svc.cluster.local", "10.244.1.1", 9090).tls())
                .isEmpty();
        var credential = outbound.forEndpoint("outbound|443||credential.example.com", "1.2.3.4", 443);
        assertThat(credential.tls()).isEmpty();
        assertThat(credential.error()).hasValueSatisfying(e -> assertThat(e).contains("kubernetes://"));
    }
}
