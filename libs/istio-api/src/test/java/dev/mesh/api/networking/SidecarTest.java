package dev.mesh.api.networking;

import static dev.mesh.api.networking.Parsed.assertClean;
import static dev.mesh.api.networking.Parsed.assertError;
import static dev.mesh.api.networking.Parsed.assertWarning;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SidecarTest {

    private static final String NAME = "Sidecar demo/reviews";

    private static IstioResource<Sidecar> parse(String spec) {
        return Parsed.one(Kind.SIDECAR, """
                apiVersion: networking.istio.io/v1
                kind: Sidecar
                metadata: {name: reviews, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    @Test
    void fullFeaturedSidecar_parsesTypedWithoutProblems() {
        IstioResource<Sidecar> resource = parse("""
                workloadSelector: {labels: {app: reviews}}
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  defaultEndpoint: 127.0.0.1:8080
                  captureMode: IPTABLES
                  connectionPool: {http: {http1MaxPendingRequests: 100}}
                - port: {number: 9443, protocol: HTTPS, name: https}
                  defaultEndpoint: "[::1]:8443"
                  tls: {mode: SIMPLE, serverCertificate: /etc/certs/cert.pem, privateKey: /etc/certs/key.pem}
                egress:
                - port: {number: 9080, protocol: HTTP, name: egresshttp}
                  hosts: ["prod-us1/*"]
                - hosts: ["./*", "istio-system/*"]
                outboundTrafficPolicy:
                  mode: ALLOW_ANY
                  egressProxy: {host: egress.example.com, port: {number: 3128}}
                inboundConnectionPool: {tcp: {maxConnections: 50}}
                """);

        assertClean(resource);
        Sidecar sidecar = resource.spec();
        assertThat(sidecar.workloadSelector().labels()).isEqualTo(Map.of("app", "reviews"));
        IstioIngressListener ingress = sidecar.ingress().get(0);
        assertThat(ingress.port().number()).isEqualTo(9080);
        assertThat(ingress.port().protocol()).isEqualTo("HTTP");
        assertThat(ingress.defaultEndpoint()).isEqualTo("127.0.0.1:8080");
        assertThat(ingress.captureMode()).isEqualTo(CaptureMode.IPTABLES);
        assertThat(ingress.connectionPool().http().http1MaxPendingRequests()).isEqualTo(100);
        assertThat(sidecar.ingress().get(1).tls().mode()).isEqualTo(ServerTLSSettings.TLSmode.SIMPLE);
        IstioEgressListener egress = sidecar.egress().get(0);
        assertThat(egress.port().name()).isEqualTo("egresshttp");
        assertThat(egress.hosts()).containsExactly("prod-us1/*");
        assertThat(egress.captureMode()).isEqualTo(CaptureMode.DEFAULT);
        assertThat(sidecar.egress().get(1).port()).isNull();
        assertThat(sidecar.outboundTrafficPolicy().mode()).isEqualTo(OutboundTrafficPolicy.Mode.ALLOW_ANY);
        assertThat(sidecar.outboundTrafficPolicy().egressProxy().port().number()).isEqualTo(3128);
        assertThat(sidecar.inboundConnectionPool().tcp().maxConnections()).isEqualTo(50);
    }

    @Test
    void emptySidecar_isRejected() {
        IstioResource<Sidecar> r = parse("workloadSelector: {labels: {app: reviews}}\n");
        assertError(r, NAME, "spec", "empty sidecar configuration");
    }

    @Test
    void catchAllEgressListener_mustBeLast() {
        IstioResource<Sidecar> r = parse("""
                egress:
                - hosts: ["./*"]
                - port: {number: 9080, protocol: HTTP, name: http}
                  hosts: ["istio-system/*"]
                """);
        assertError(r, NAME, "spec.egress[0]", "empty port should be the last listener");
    }

    @Test
    void egressHost_withoutNamespace_isRejected() {
        IstioResource<Sidecar> r = parse("""
                egress:
                - hosts: [reviews.demo.svc.cluster.local]
                """);
        assertError(r, NAME, "spec.egress[0].hosts[0]", "must be of form namespace/dnsName");
    }

    @Test
    void egressListener_withoutHosts_isRejected() {
        IstioResource<Sidecar> r = parse("""
                egress:
                - port: {number: 9080, protocol: HTTP, name: http}
                """);
        assertError(r, NAME, "spec.egress[0].hosts", "at least one host");
    }

    @Test
    void ingressListener_withoutPort_isRejected() {
        IstioResource<Sidecar> r = parse("""
                ingress:
                - defaultEndpoint: 127.0.0.1:8080
                """);
        assertError(r, NAME, "spec.ingress[0].port", "is required");
    }

    @Test
    void defaultEndpoint_onAnotherHost_isRejected() {
        IstioResource<Sidecar> r = parse("""
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http}
                  defaultEndpoint: 10.0.0.1:8080
                """);
        assertError(r, NAME, "spec.ingress[0].defaultEndpoint", "10.0.0.1:8080", "127.0.0.1:<port>");
    }

    @Test
    void duplicateIngressPorts_areRejected() {
        IstioResource<Sidecar> r = parse("""
                ingress:
                - port: {number: 9080, protocol: HTTP, name: http}
                - port: {number: 9080, protocol: TCP, name: tcp}
                """);
        assertError(r, NAME, "spec.ingress[1].port.number", "must be unique", "9080");
    }

    @Test
    void workloadSelector_withWildcard_isRejected() {
        IstioResource<Sidecar> r = parse("""
                workloadSelector: {labels: {app: "review*"}}
                egress: [{hosts: ["./*"]}]
                """);
        assertError(r, NAME, "spec.workloadSelector.labels.app", "wildcard is not supported");
    }

    @Test
    void egressProxy_withRegistryOnly_isRejected() {
        IstioResource<Sidecar> r = parse("""
                outboundTrafficPolicy:
                  mode: REGISTRY_ONLY
                  egressProxy: {host: egress.example.com, port: {number: 3128}}
                """);
        assertError(r, NAME, "spec.outboundTrafficPolicy.egressProxy", "only with the ALLOW_ANY mode");
    }

    @Test
    void ingressSidecarTls_withIstioMutual_isRejected() {
        IstioResource<Sidecar> r = parse("""
                ingress:
                - port: {number: 9443, protocol: HTTPS, name: https}
                  tls: {mode: ISTIO_MUTUAL}
                """);
        assertError(r, NAME, "spec.ingress[0].tls.mode", "cannot set mode to ISTIO_MUTUAL");
    }

    @Test
    void emptyWorkloadSelector_isWarned() {
        IstioResource<Sidecar> r = parse("""
                workloadSelector: {labels: {}}
                egress: [{hosts: ["./*"]}]
                """);
        assertThat(r.isValid()).isTrue();
        assertWarning(r, "spec.workloadSelector.labels", "without labels");
    }
}
