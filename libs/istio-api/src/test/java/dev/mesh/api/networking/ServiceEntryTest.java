package dev.mesh.api.networking;

import static dev.mesh.api.networking.Parsed.assertClean;
import static dev.mesh.api.networking.Parsed.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceEntryTest {

    private static final String NAME = "ServiceEntry demo/external";

    private static IstioResource<ServiceEntry> parse(String spec) {
        return Parsed.one(Kind.SERVICE_ENTRY, """
                apiVersion: networking.istio.io/v1
                kind: ServiceEntry
                metadata: {name: external, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    @Test
    void staticServiceEntry_parsesTypedWithoutProblems() {
        IstioResource<ServiceEntry> resource = parse("""
                hosts: [db.internal.example.com]
                addresses: [10.20.0.0/16]
                location: MESH_INTERNAL
                resolution: STATIC
                ports:
                - {number: 5432, name: tcp-postgres, protocol: TCP, targetPort: 15432}
                endpoints:
                - address: 10.20.0.5
                  labels: {role: primary}
                  ports: {tcp-postgres: 6432}
                  network: net1
                  locality: us-east/zone-a
                  weight: 10
                  serviceAccount: db
                - address: 10.20.0.6
                exportTo: ["*"]
                subjectAltNames: [spiffe://cluster.local/ns/db/sa/db]
                """);

        assertClean(resource);
        ServiceEntry se = resource.spec();
        assertThat(se.hosts()).containsExactly("db.internal.example.com");
        assertThat(se.addresses()).containsExactly("10.20.0.0/16");
        assertThat(se.location()).isEqualTo(ServiceEntry.Location.MESH_INTERNAL);
        assertThat(se.resolution()).isEqualTo(ServiceEntry.Resolution.STATIC);
        ServicePort port = se.ports().get(0);
        assertThat(port.number()).isEqualTo(5432);
        assertThat(port.name()).isEqualTo("tcp-postgres");
        assertThat(port.protocol()).isEqualTo("TCP");
        assertThat(port.targetPort()).isEqualTo(15432);
        WorkloadEntry primary = se.endpoints().get(0);
        assertThat(primary.address()).isEqualTo("10.20.0.5");
        assertThat(primary.ports()).isEqualTo(Map.of("tcp-postgres", 6432));
        assertThat(primary.labels()).isEqualTo(Map.of("role", "primary"));
        assertThat(primary.network()).isEqualTo("net1");
        assertThat(primary.locality()).isEqualTo("us-east/zone-a");
        assertThat(primary.weight()).isEqualTo(10);
        assertThat(primary.serviceAccount()).isEqualTo("db");
        assertThat(se.endpoints().get(1).ports()).isEmpty();
        assertThat(se.workloadSelector()).isNull();
        assertThat(se.exportTo()).containsExactly("*");
        assertThat(se.subjectAltNames()).containsExactly("spiffe://cluster.local/ns/db/sa/db");
    }

    @Test
    void externalDnsServiceEntry_takesDefaults() {
        IstioResource<ServiceEntry> resource = parse("""
                hosts: [httpbin.org]
                ports: [{number: 443, name: tls, protocol: TLS}]
                resolution: DNS
                """);
        assertClean(resource);
        assertThat(resource.spec().location()).isEqualTo(ServiceEntry.Location.MESH_EXTERNAL);
        assertThat(resource.spec().endpoints()).isEmpty();
    }

    @Test
    void serviceEntryWithoutHosts_isRejected() {
        IstioResource<ServiceEntry> r = parse("ports: [{number: 80, name: http, protocol: HTTP}]\nresolution: DNS\n");
        assertError(r, NAME, "spec.hosts", "at least one host");
    }

    @Test
    void fullWildcardHost_isRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: ["*"]
                ports: [{number: 80, name: http, protocol: HTTP}]
                """);
        assertError(r, NAME, "spec.hosts[0]", "invalid host *");
    }

    @Test
    void duplicatePortNumbers_areRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                resolution: DNS
                ports:
                - {number: 80, name: http, protocol: HTTP}
                - {number: 80, name: http-alt, protocol: HTTP}
                """);
        assertError(r, NAME, "spec.ports[1].number", "port 80 already defined");
    }

    @Test
    void portName_mustBeDnsLabel() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                resolution: DNS
                ports: [{number: 80, name: Web_Port, protocol: HTTP}]
                """);
        assertError(r, NAME, "spec.ports[0].name", "invalid port name \"Web_Port\"");
    }

    @Test
    void staticEndpoint_withHostname_isRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [db.example.com]
                addresses: [10.1.0.1]
                resolution: STATIC
                ports: [{number: 5432, name: tcp, protocol: TCP}]
                endpoints: [{address: db1.example.com}]
                """);
        assertError(r, NAME, "spec.endpoints[0].address", "\"db1.example.com\" is not a valid IP address");
    }

    @Test
    void dnsResolution_ofWildcardHostWithoutEndpoints_isRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: ["*.example.com"]
                resolution: DNS
                ports: [{number: 443, name: tls, protocol: TLS}]
                """);
        assertError(r, NAME, "spec.hosts[0]", "hosts must be FQDN", "DNS");
    }

    @Test
    void cidrAddress_withDnsResolution_isRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                addresses: [10.0.0.0/24]
                resolution: DNS
                ports: [{number: 80, name: http, protocol: HTTP}]
                """);
        assertError(r, NAME, "spec.addresses", "CIDR addresses are allowed only for NONE/STATIC");
    }

    @Test
    void invalidAddress_isRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                addresses: [300.1.1.1]
                ports: [{number: 80, name: http, protocol: HTTP}]
                """);
        assertError(r, NAME, "spec.addresses[0]", "\"300.1.1.1\" is not a valid IP address or CIDR block");
    }

    @Test
    void endpointPort_notDefinedByTheServiceEntry_isRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                resolution: DNS
                ports: [{number: 80, name: http, protocol: HTTP}]
                endpoints: [{address: api1.example.com, ports: {grpc: 9090}}]
                """);
        assertError(r, NAME, "spec.endpoints[0].ports.grpc", "\"grpc\" is not defined by the service entry");
    }

    @Test
    void endpoints_withResolutionNone_areRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                addresses: [10.1.0.1]
                ports: [{number: 80, name: http, protocol: HTTP}]
                endpoints: [{address: 10.1.0.2}]
                """);
        assertError(r, NAME, "spec.endpoints", "resolution type NONE");
    }

    @Test
    void workloadSelectorAndEndpoints_areExclusive() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                resolution: STATIC
                addresses: [10.1.0.1]
                ports: [{number: 80, name: http, protocol: HTTP}]
                workloadSelector: {labels: {app: api}}
                endpoints: [{address: 10.1.0.2}]
                """);
        assertError(r, NAME, "spec.endpoints", "only one of workloadSelector or endpoints");
    }

    @Test
    void multipleHosts_withTcpPortAndDns_areRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [a.example.com, b.example.com]
                addresses: [10.1.0.1]
                resolution: DNS
                ports: [{number: 3306, name: mysql, protocol: TCP}]
                """);
        assertError(r, NAME, "spec.hosts", "multiple hosts provided with non-HTTP, non-TLS port 3306");
    }

    @Test
    void unknownResolution_isRejected() {
        IstioResource<ServiceEntry> r = parse("""
                hosts: [api.example.com]
                resolution: MAGIC
                ports: [{number: 80, name: http, protocol: HTTP}]
                """);
        assertError(r, NAME, "spec.resolution", "unknown value \"MAGIC\"", "DNS_ROUND_ROBIN");
    }
}
