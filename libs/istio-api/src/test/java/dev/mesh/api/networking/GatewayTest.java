package dev.mesh.api.networking;

import static dev.mesh.api.networking.Parsed.assertClean;
import static dev.mesh.api.networking.Parsed.assertError;
import static dev.mesh.api.networking.Parsed.assertWarning;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayTest {

    private static final String NAME = "Gateway demo/edge-gw";

    private static IstioResource<Gateway> parse(String spec) {
        return Parsed.one(Kind.GATEWAY, """
                apiVersion: networking.istio.io/v1
                kind: Gateway
                metadata: {name: edge-gw, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    private static IstioResource<Gateway> parseServers(String servers) {
        return parse("selector: {istio: ingressgateway}\nservers:\n" + servers);
    }

    @Test
    void fullFeaturedGateway_parsesTypedWithoutProblems() {
        IstioResource<Gateway> resource = parseServers("""
                - port: {number: 80, name: http, protocol: HTTP}
                  hosts: ["demo/*.example.com", podinfo.example.com]
                  tls: {httpsRedirect: true}
                - port: {number: 443, name: https, protocol: HTTPS}
                  hosts: ["*/podinfo.example.com"]
                  tls: {mode: SIMPLE, credentialName: podinfo-cert, minProtocolVersion: TLSV1_2}
                - port: {number: 15443, name: tls-passthrough, protocol: tls}
                  hosts: ["*.global"]
                  tls: {mode: AUTO_PASSTHROUGH}
                - port: {number: 8443, name: mtls, protocol: HTTPS}
                  hosts: ["./secure.example.com"]
                  bind: 0.0.0.0
                  name: secure
                  tls:
                    mode: MUTUAL
                    serverCertificate: /etc/certs/cert.pem
                    privateKey: /etc/certs/key.pem
                    caCertificates: /etc/certs/ca.pem
                    subjectAltNames: [spiffe://cluster.local/ns/demo/sa/client]
                    cipherSuites: [ECDHE-RSA-AES128-GCM-SHA256]
                """);

        assertClean(resource);
        Gateway gateway = resource.spec();
        assertThat(gateway.selector()).isEqualTo(Map.of("istio", "ingressgateway"));
        assertThat(gateway.servers()).hasSize(4);
        Server http = gateway.servers().get(0);
        assertThat(http.port().number()).isEqualTo(80);
        assertThat(http.port().name()).isEqualTo("http");
        assertThat(http.port().protocol()).isEqualTo("HTTP");
        assertThat(http.hosts()).containsExactly("demo/*.example.com", "podinfo.example.com");
        assertThat(http.tls().httpsRedirect()).isTrue();
        assertThat(http.tls().mode()).isEqualTo(ServerTLSSettings.TLSmode.PASSTHROUGH);
        ServerTLSSettings simple = gateway.servers().get(1).tls();
        assertThat(simple.mode()).isEqualTo(ServerTLSSettings.TLSmode.SIMPLE);
        assertThat(simple.credentialName()).isEqualTo("podinfo-cert");
        assertThat(simple.minProtocolVersion()).isEqualTo(ServerTLSSettings.TLSProtocol.TLSV1_2);
        assertThat(simple.maxProtocolVersion()).isEqualTo(ServerTLSSettings.TLSProtocol.TLS_AUTO);
        assertThat(gateway.servers().get(2).tls().mode()).isEqualTo(ServerTLSSettings.TLSmode.AUTO_PASSTHROUGH);
        Server mtls = gateway.servers().get(3);
        assertThat(mtls.bind()).isEqualTo("0.0.0.0");
        assertThat(mtls.name()).isEqualTo("secure");
        assertThat(mtls.defaultEndpoint()).isEmpty();
        assertThat(mtls.tls().caCertificates()).isEqualTo("/etc/certs/ca.pem");
        assertThat(mtls.tls().subjectAltNames()).containsExactly("spiffe://cluster.local/ns/demo/sa/client");
    }

    @Test
    void gatewayWithoutServers_isRejected() {
        IstioResource<Gateway> r = parse("selector: {istio: ingressgateway}\n");
        assertError(r, NAME, "spec.servers", "at least one server");
    }

    @Test
    void serverPort_outOfRange_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 70000, name: http, protocol: HTTP}
                  hosts: ["*"]
                """);
        assertError(r, NAME, "spec.servers[0].port.number", "port number 70000", "1..65535");
    }

    @Test
    void unknownProtocol_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 80, name: http, protocol: GOPHER}
                  hosts: ["*"]
                """);
        assertError(r, NAME, "spec.servers[0].port.protocol", "invalid protocol \"GOPHER\"");
    }

    @Test
    void httpsServer_withoutTls_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 443, name: https, protocol: HTTPS}
                  hosts: ["*"]
                """);
        assertError(r, NAME, "spec.servers[0].tls", "must have TLS settings", "HTTPS");
    }

    @Test
    void simpleTls_withoutCertificateOrCredential_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 443, name: https, protocol: HTTPS}
                  hosts: ["*"]
                  tls: {mode: SIMPLE, privateKey: /etc/key.pem}
                """);
        assertError(r, NAME, "spec.servers[0].tls.serverCertificate", "SIMPLE TLS requires a server certificate");
    }

    @Test
    void istioMutual_withCredentialName_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 443, name: https, protocol: HTTPS}
                  hosts: ["*"]
                  tls: {mode: ISTIO_MUTUAL, credentialName: my-cert}
                """);
        assertError(r, NAME, "spec.servers[0].tls.credentialName", "ISTIO_MUTUAL", "credentialName");
    }

    @Test
    void plainHttpServer_withCertificates_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 80, name: http, protocol: HTTP}
                  hosts: ["*"]
                  tls: {mode: SIMPLE, credentialName: my-cert}
                """);
        assertError(r, NAME, "spec.servers[0].tls", "plain text HTTP ports");
    }

    @Test
    void hostWithInvalidName_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 80, name: http, protocol: HTTP}
                  hosts: ["demo/foo_bar.example.com"]
                """);
        assertError(r, NAME, "spec.servers[0].hosts[0]", "demo/foo_bar.example.com", "label \"foo_bar\" invalid");
    }

    @Test
    void shortHostName_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 80, name: http, protocol: HTTP}
                  hosts: [podinfo]
                """);
        assertError(r, NAME, "spec.servers[0].hosts[0]", "short names (non FQDN) are not allowed");
    }

    @Test
    void serverWithoutHosts_isRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 80, name: http, protocol: HTTP}
                """);
        assertError(r, NAME, "spec.servers[0].hosts", "at least one host");
    }

    @Test
    void duplicatePortNames_areRejected() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 80, name: web, protocol: HTTP}
                  hosts: ["*"]
                - port: {number: 8080, name: web, protocol: HTTP}
                  hosts: ["*"]
                """);
        assertError(r, NAME, "spec.servers[1].port.name", "duplicate name \"web\"");
    }

    @Test
    void portWithoutName_isAcceptedWithAWarning() {
        IstioResource<Gateway> r = parseServers("""
                - port: {number: 80, protocol: http}
                  hosts: ["*"]
                """);
        assertThat(r.isValid()).isTrue();
        assertWarning(r, "spec.servers[0].port.name", "not set");
    }
}
