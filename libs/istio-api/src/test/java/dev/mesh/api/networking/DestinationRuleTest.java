package dev.mesh.api.networking;

import static dev.mesh.api.networking.Parsed.assertClean;
import static dev.mesh.api.networking.Parsed.assertError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DestinationRuleTest {

    private static final String NAME = "DestinationRule demo/reviews";

    private static IstioResource<DestinationRule> parse(String spec) {
        return Parsed.one(Kind.DESTINATION_RULE, """
                apiVersion: networking.istio.io/v1
                kind: DestinationRule
                metadata: {name: reviews, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    private static IstioResource<DestinationRule> parsePolicy(String trafficPolicy) {
        return parse("host: reviews.demo.svc.cluster.local\ntrafficPolicy:\n" + trafficPolicy.indent(2));
    }

    @Test
    void fullFeaturedDestinationRule_parsesTypedWithoutProblems() {
        IstioResource<DestinationRule> resource = parse("""
                host: reviews.demo.svc.cluster.local
                exportTo: ["."]
                workloadSelector: {matchLabels: {app: productpage}}
                trafficPolicy:
                  loadBalancer:
                    consistentHash:
                      httpCookie: {name: user, path: /, ttl: 60s}
                      ringHash: {minimumRingSize: 1024}
                    localityLbSetting:
                      enabled: true
                      failover: [{from: us-east, to: us-west}]
                    warmupDurationSecs: 30s
                  connectionPool:
                    tcp: {maxConnections: 100, connectTimeout: 30ms, tcpKeepalive: {probes: 3, time: 7200s, interval: 75s}}
                    http:
                      http1MaxPendingRequests: 10
                      http2MaxRequests: 1000
                      maxRequestsPerConnection: 10
                      maxRetries: 3
                      idleTimeout: 1h
                      h2UpgradePolicy: UPGRADE
                  outlierDetection:
                    consecutive5xxErrors: 7
                    consecutiveGatewayErrors: 5
                    interval: 5m
                    baseEjectionTime: 15m
                    maxEjectionPercent: 50
                    minHealthPercent: 10
                  tls: {mode: ISTIO_MUTUAL, sni: reviews.demo.svc.cluster.local}
                  portLevelSettings:
                  - port: {number: 9080}
                    loadBalancer: {simple: LEAST_REQUEST}
                    tls: {mode: SIMPLE, caCertificates: /etc/ca.pem, subjectAltNames: [reviews.example.com]}
                subsets:
                - name: v1
                  labels: {version: v1}
                - name: v2
                  labels: {version: v2, app.kubernetes.io/name: reviews}
                  trafficPolicy:
                    loadBalancer: {simple: ROUND_ROBIN}
                """);

        assertClean(resource);
        DestinationRule dr = resource.spec();
        assertThat(dr.host()).isEqualTo("reviews.demo.svc.cluster.local");
        assertThat(dr.exportTo()).containsExactly(".");
        assertThat(dr.workloadSelector().matchLabels()).isEqualTo(Map.of("app", "productpage"));
        assertThat(dr.subsets()).extracting(Subset::name).containsExactly("v1", "v2");
        assertThat(dr.subsets().get(0).labels()).isEqualTo(Map.of("version", "v1"));
        assertThat(dr.subsets().get(0).trafficPolicy()).isNull();
        assertThat(dr.subset("v2").orElseThrow().trafficPolicy().loadBalancer().simple())
                .isEqualTo(LoadBalancerSettings.SimpleLB.ROUND_ROBIN);

        TrafficPolicy policy = dr.trafficPolicy();
        LoadBalancerSettings lb = policy.loadBalancer();
        assertThat(lb.simple()).isNull();
        assertThat(lb.consistentHash().httpCookie().name()).isEqualTo("user");
        assertThat(lb.consistentHash().httpCookie().ttl()).isEqualTo(Duration.ofSeconds(60));
        assertThat(lb.consistentHash().ringHash().minimumRingSize()).isEqualTo(1024);
        assertThat(lb.localityLbSetting().enabled()).isTrue();
        assertThat(lb.localityLbSetting().failover().get(0).to()).isEqualTo("us-west");
        assertThat(lb.warmupDurationSecs()).isEqualTo(Duration.ofSeconds(30));
        ConnectionPoolSettings pool = policy.connectionPool();
        assertThat(pool.tcp().maxConnections()).isEqualTo(100);
        assertThat(pool.tcp().connectTimeout()).isEqualTo(Duration.ofMillis(30));
        assertThat(pool.tcp().tcpKeepalive().probes()).isEqualTo(3);
        assertThat(pool.http().http2MaxRequests()).isEqualTo(1000);
        assertThat(pool.http().idleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(pool.http().h2UpgradePolicy())
                .isEqualTo(ConnectionPoolSettings.HTTPSettings.H2UpgradePolicy.UPGRADE);
        OutlierDetection outlier = policy.outlierDetection();
        assertThat(outlier.consecutive5xxErrors()).isEqualTo(7);
        assertThat(outlier.consecutiveLocalOriginFailures()).isNull();
        assertThat(outlier.interval()).isEqualTo(Duration.ofMinutes(5));
        assertThat(outlier.maxEjectionPercent()).isEqualTo(50);
        assertThat(policy.tls().mode()).isEqualTo(ClientTLSSettings.TLSmode.ISTIO_MUTUAL);
        assertThat(policy.tls().insecureSkipVerify()).isNull();
        TrafficPolicy.PortTrafficPolicy port = policy.portLevelSettings().get(0);
        assertThat(port.port().number()).isEqualTo(9080);
        assertThat(port.tls().subjectAltNames()).containsExactly("reviews.example.com");
    }

    @Test
    void missingHost_isRejected() {
        IstioResource<DestinationRule> r = parse("subsets: [{name: v1, labels: {version: v1}}]\n");
        assertError(r, NAME, "spec.host", "is required");
    }

    @Test
    void duplicateSubsetNames_areRejected() {
        IstioResource<DestinationRule> r = parse("""
                host: reviews.demo.svc.cluster.local
                subsets:
                - {name: v1, labels: {version: v1}}
                - {name: v1, labels: {version: v2}}
                """);
        assertError(r, NAME, "spec.subsets[1].name", "duplicate subset name \"v1\"");
    }

    @Test
    void subsetName_mustBeDnsLabel() {
        IstioResource<DestinationRule> r = parse("""
                host: reviews.demo.svc.cluster.local
                subsets: [{name: Version_1, labels: {version: v1}}]
                """);
        assertError(r, NAME, "spec.subsets[0].name", "invalid subset name \"Version_1\"");
    }

    @Test
    void subsetLabelValue_mustBeValid() {
        IstioResource<DestinationRule> r = parse("""
                host: reviews.demo.svc.cluster.local
                subsets: [{name: v1, labels: {version: "v 1"}}]
                """);
        assertError(r, NAME, "spec.subsets[0].labels.version", "invalid label value \"v 1\"");
    }

    @Test
    void simpleAndConsistentHash_areExclusive() {
        IstioResource<DestinationRule> r = parsePolicy("""
                loadBalancer:
                  simple: ROUND_ROBIN
                  consistentHash: {useSourceIp: true}
                """);
        assertError(r, NAME, "spec.trafficPolicy.loadBalancer.consistentHash", "only one of simple or consistentHash");
    }

    @Test
    void maxEjectionPercent_outOfRange_isRejected() {
        IstioResource<DestinationRule> r = parsePolicy("outlierDetection: {consecutive5xxErrors: 5, maxEjectionPercent: 150}\n");
        assertError(r, NAME, "spec.trafficPolicy.outlierDetection.maxEjectionPercent", "percentage 150", "0..100");
    }

    @Test
    void negativeConnectionLimit_isRejected() {
        IstioResource<DestinationRule> r = parsePolicy("connectionPool: {tcp: {maxConnections: -1}}\n");
        assertError(r, NAME, "spec.trafficPolicy.connectionPool.tcp.maxConnections", "-1", "non-negative");
    }

    @Test
    void unknownTlsMode_isRejected() {
        IstioResource<DestinationRule> r = parsePolicy("tls: {mode: STRICT}\n");
        assertError(r, NAME, "spec.trafficPolicy.tls.mode", "unknown value \"STRICT\"", "ISTIO_MUTUAL");
    }

    @Test
    void mutualTls_withoutClientCertificate_isRejected() {
        IstioResource<DestinationRule> r = parsePolicy("tls: {mode: MUTUAL, privateKey: /etc/key.pem}\n");
        assertError(r, NAME, "spec.trafficPolicy.tls.clientCertificate", "client certificate required");
    }

    @Test
    void emptyTrafficPolicy_isRejected() {
        IstioResource<DestinationRule> r = parse("host: reviews.demo.svc.cluster.local\ntrafficPolicy: {}\n");
        assertError(r, NAME, "spec.trafficPolicy", "at least one field");
    }

    @Test
    void maglevTableSize_mustBePrime() {
        IstioResource<DestinationRule> r = parsePolicy("loadBalancer: {consistentHash: {useSourceIp: true, maglev: {tableSize: 1000}}}\n");
        assertError(r, NAME, "spec.trafficPolicy.loadBalancer.consistentHash.maglev.tableSize", "1000", "prime");
    }

    @Test
    void duplicateExportTo_isRejected() {
        IstioResource<DestinationRule> r = parse("host: reviews.demo.svc.cluster.local\nexportTo: [istio-system, istio-system]\n");
        assertError(r, NAME, "spec.exportTo[1]", "duplicate entry \"istio-system\"");
    }

    @Test
    void wildcardExportTo_withOthers_isRejected() {
        IstioResource<DestinationRule> r = parse("host: reviews.demo.svc.cluster.local\nexportTo: [\"*\", \".\"]\n");
        assertError(r, NAME, "spec.exportTo", "both public (*) and non-public");
    }
}
