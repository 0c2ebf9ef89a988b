package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.cli.testing.ConfigDumps;
import dev.mesh.cli.testing.FakeDebugServer;
import dev.mesh.cli.testing.Golden;
import dev.mesh.cli.testing.MockCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshctl proxy-config} against a config-distributor stand-in serving the config dump the distributor builds
 * from its walkthrough translation (copied from its golden files), found through a mock API server holding the
 * distributor's pod. Golden outputs under {@code testdata/proxy-config/}.
 */
class ProxyConfigCommandTest {

    static final String V1 = "podinfo-v1-d57b7c9fd-7swjb.demo";
    static final String GATEWAY = "istio-ingressgateway-584467857d-h8gtc.istio-system";
    static final String V1_XDS = "proxy-config/walkthrough/podinfo-v1-d57b7c9fd-7swjb.xds.json";
    static final String GATEWAY_XDS = "proxy-config/walkthrough/istio-ingressgateway-584467857d-h8gtc.xds.json";

    @TempDir
    Path dir;

    MockCluster cluster;
    FakeDebugServer distributor;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(dir);
        distributor = new FakeDebugServer();
        distributor.configDumps.put(V1, ConfigDumps.text(ConfigDumps.fromTranslation(V1_XDS)));
        distributor.configDumps.put(GATEWAY, ConfigDumps.text(ConfigDumps.fromTranslation(GATEWAY_XDS)));
        cluster.controlPlanePod("istio-system", "config-distributor-7c9f8d6b5-abcde", "config-distributor",
                "127.0.0.1", distributor.port(), true);
    }

    @AfterEach
    void stop() {
        distributor.close();
        cluster.close();
    }

    private CliRun.Split run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = cluster.kubeconfig();
        return CliRun.split(all);
    }

    private void golden(String file, String... args) {
        CliRun.Split run = run(args);
        assertThat(run.exitCode()).as(run.err()).isZero();
        Golden.assertMatches("proxy-config/" + file, run.out());
    }

    @Test
    void cluster_listsThePodinfoClustersAsTheWalkthroughShows() {
        golden("cluster.txt", "proxy-config", "cluster", V1);
        String out = run("proxy-config", "cluster", V1).out();
        assertThat(out.lines().filter(l -> l.contains("podinfo")).map(l -> l.replaceAll(" +", " ")))
                .containsExactly("podinfo.demo.svc.cluster.local 80 - outbound EDS podinfo.demo",
                        "podinfo.demo.svc.cluster.local 80 v1 outbound EDS podinfo.demo",
                        "podinfo.demo.svc.cluster.local 80 v2 outbound EDS podinfo.demo");
    }

    @Test
    void cluster_filters() {
        golden("cluster-fqdn-subset.txt", "proxy-config", "cluster", V1, "--fqdn", "podinfo.demo.svc.cluster.local",
                "--subset", "v2");
        golden("cluster-inbound.txt", "proxy-config", "clusters", V1, "--direction", "inbound");
        golden("cluster-port-15021.json", "pc", "cluster", V1, "--port", "15021", "-o", "json");
    }

    @Test
    void listeners_showEachFilterChain() {
        golden("listeners.txt", "proxy-config", "listeners", V1);
        golden("listeners-port-15006.txt", "proxy-config", "listeners", V1, "--port", "15006");
        golden("listeners-type-tcp.txt", "proxy-config", "listeners", V1, "--type", "TCP");
    }

    @Test
    void routes_showTheCanaryRouteAndItsWeightsInJson() {
        golden("routes.txt", "proxy-config", "routes", V1);
        golden("routes-gateway.txt", "proxy-config", "routes", GATEWAY);
        golden("routes-gateway-http.80.json", "proxy-config", "routes", GATEWAY, "--name", "http.80", "-o", "json");
        String json = run("proxy-config", "routes", GATEWAY, "--name", "http.80", "-o", "json").out();
        assertThat(json.replaceAll("\\s+", " "))
                .contains("\"name\": \"outbound|80|v1|podinfo.demo.svc.cluster.local\", \"weight\": 90 }")
                .contains("\"name\": \"outbound|80|v2|podinfo.demo.svc.cluster.local\", \"weight\": 10 }");
    }

    @Test
    void endpoints_showBothPodsAddresses() {
        golden("endpoints.txt", "proxy-config", "endpoints", V1);
        golden("endpoints-cluster-v2.txt", "proxy-config", "endpoints", V1, "--cluster",
                "outbound|80|v2|podinfo.demo.svc.cluster.local");
        golden("endpoints-address.yaml", "proxy-config", "endpoints", V1, "--address", "10.244.1.6", "--port", "9898",
                "--status", "healthy", "-o", "yaml");
        String out = run("proxy-config", "endpoints", V1).out();
        assertThat(out).contains("10.244.1.5:9898").contains("10.244.1.6:9898");
    }

    /**
     * The walkthrough's "VirtualService weights are not respected": the DestinationRule's v2 subset selects no pod,
     * so the distributor sends that subset's cluster an assignment without endpoints and {@code endpoints | grep
     * podinfo} shows none for v2.
     */
    @Test
    void subsetLabelsMatchingNoPod_leaveTheSubsetWithoutEndpoints() {
        distributor.configDumps.put(V1, ConfigDumps.text(ConfigDumps.fromTranslation(V1_XDS, byType -> {
            for (var cla : byType.withArray("EDS")) {
                if (cla.path("clusterName").asText().equals("outbound|80|v2|podinfo.demo.svc.cluster.local")) {
                    ((ObjectNode) cla).putArray("endpoints");
                }
            }
        })));
        golden("failure-subset-labels/endpoints.txt", "proxy-config", "endpoints", V1);
        assertThat(run("proxy-config", "endpoints", V1).out()).doesNotContain("|v2|");
    }

    /**
     * The walkthrough's "503 NR at the ingress gateway": the VirtualService bound to the Gateway names a host the
     * client does not send, and {@code routes} on the gateway shows the only domain it matches.
     */
    @Test
    void wrongGatewayHost_showsInTheGatewaysRouteDomains() {
        distributor.configDumps.put(GATEWAY, ConfigDumps.text(ConfigDumps.fromTranslation(GATEWAY_XDS, byType -> {
            ObjectNode vhost = (ObjectNode) byType.withArray("RDS").get(0).withArray("virtualHosts").get(0);
            vhost.put("name", "podinfo.example.com:80");
            vhost.putArray("domains").add("podinfo.example.com").add("podinfo.example.com:*");
        })));
        golden("failure-wrong-gateway-host/routes-gateway.txt", "proxy-config", "routes", GATEWAY);
    }

    @Test
    void all_printsEverySummary_andJsonIsTheWholeDump() {
        golden("all.txt", "proxy-config", "all", V1);
        CliRun.Split json = run("proxy-config", "all", V1, "-o", "json");
        assertThat(json.out()).startsWith("{\n    \"configs\": [").contains("envoy.admin.v3.ClustersConfigDump");
    }

    @Test
    void sourceIsSaidOnStderr_andTheDistributorIsReachedDirectlyAtItsPodIp() {
        CliRun.Split run = run("proxy-config", "cluster", V1);
        assertThat(run.err()).isEqualTo("config of " + V1 + " from config-distributor replica"
                + " config-distributor-7c9f8d6b5-abcde (" + distributor.baseUrl() + "/debug/config_dump?proxyID="
                + V1 + ", the configuration it sends)\n");
        assertThat(cluster.proxiedPaths).isEmpty();
    }

    @Test
    void unreachablePodIp_fallsBackToTheApiServersPodProxy() {
        cluster.client().pods().inNamespace("istio-system").withName("config-distributor-7c9f8d6b5-abcde").delete();
        // 127.0.0.2 is loopback too, but nothing listens there on this port: the direct connection is refused.
        cluster.controlPlanePod("istio-system", "config-distributor-7c9f8d6b5-fghij", "config-distributor",
                "127.0.0.2", distributor.port(), true);
        cluster.proxyPodTo("istio-system", "config-distributor-7c9f8d6b5-fghij", distributor.port(),
                distributor.baseUrl());

        CliRun.Split run = run("proxy-config", "cluster", V1, "--fqdn", "podinfo", "--subset", "v1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("podinfo.demo.svc.cluster.local     80       v1");
        assertThat(run.err()).contains("/api/v1/namespaces/istio-system/pods/config-distributor-7c9f8d6b5-fghij:"
                + distributor.port() + "/proxy/debug/config_dump?proxyID=" + V1);
        assertThat(cluster.proxiedPaths).hasSize(1);
    }

    @Test
    void proxyConnectedToNoReplica_isAnErrorNamingTheReplicasAsked() {
        CliRun.Split run = run("proxy-config", "cluster", "nosuchpod.demo");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).isEqualTo("Error: proxy nosuchpod.demo is not connected to replica"
                + " config-distributor-7c9f8d6b5-abcde: check the pod name and namespace, and that its sidecar runs"
                + " (meshctl proxy-status lists the connected proxies)\n");
    }

    @Test
    void noDistributorPods_saysWhereItLooked() {
        CliRun.Split run = run("proxy-config", "cluster", V1, "-i", "mesh-system");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("no config-distributor pods in namespace mesh-system")
                .contains("-i/--istioNamespace");
    }

    @Test
    void podWithoutNamespace_takesTheNamespaceFlag() {
        CliRun.Split run = run("proxy-config", "cluster", "podinfo-v1-d57b7c9fd-7swjb", "-n", "demo");
        assertThat(run.exitCode()).as(run.err()).isZero();
    }

    @Test
    void xdsAddress_asksThatDistributorWithoutTheCluster() {
        CliRun.Split run = CliRun.split("proxy-config", "routes", V1, "--xds-address", distributor.hostPort());

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).isEqualTo(Golden.read("proxy-config/routes.txt"));
        assertThat(run.err()).startsWith("config of " + V1 + " from config-distributor at " + distributor.hostPort());
    }

    @Test
    void badAddressFlag_isRefusedWithTheFlag() {
        CliRun.Split run = CliRun.split("proxy-config", "routes", V1, "--xds-address", "nonsense");
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("--xds-address \"nonsense\" is not HOST:PORT");
    }

    @Test
    void secretAndBootstrap_fromTheDistributor_sayWhatIsMissingAndWhy() {
        CliRun.Split secret = run("proxy-config", "secret", V1);
        assertThat(secret.exitCode()).isEqualTo(1);
        assertThat(secret.err()).contains("Error: no secrets in the config dump of config-distributor replica")
                .contains("pass --proxy-admin HOST:PORT");

        CliRun.Split bootstrap = run("proxy-config", "bootstrap", V1);
        assertThat(bootstrap.exitCode()).isEqualTo(1);
        assertThat(bootstrap.err()).contains("Error: no bootstrap in the config dump")
                .contains("not its bootstrap; pass --proxy-admin HOST:PORT");
    }

    @Test
    void proxyAdmin_secretsAndBootstrap_withIstioctlsColumns() {
        ObjectNode dump = ConfigDumps.fromTranslation(V1_XDS);
        ArrayNode configs = (ArrayNode) dump.get("configs");
        ObjectNode secrets = configs.addObject().put("@type", "type.googleapis.com/envoy.admin.v3.SecretsConfigDump");
        secrets.putArray("dynamicActiveSecrets").add(secret("default", "tlsCertificate", "certificateChain",
                "workload.pem")).add(secret("ROOTCA", "validationContext", "trustedCa", "root.pem"));
        secrets.putArray("dynamicWarmingSecrets").add(secret("file-cert:/etc/certs/old.pem", "tlsCertificate",
                "certificateChain", "expired.pem"));
        ObjectNode bootstrap = configs.addObject().put("@type", "type.googleapis.com/envoy.admin.v3.BootstrapConfigDump")
                .putObject("bootstrap");
        ObjectNode node = bootstrap.putObject("node")
                .put("id", "sidecar~10.244.1.5~podinfo-v1-d57b7c9fd-7swjb.demo~demo.svc.cluster.local")
                .put("cluster", "podinfo.demo");
        node.putObject("metadata").put("NAMESPACE", "demo").put("SERVICE_ACCOUNT", "default")
                .put("WORKLOAD_NAME", "podinfo-v1").put("CLUSTER_ID", "Kubernetes");
        ObjectNode ads = bootstrap.putObject("dynamicResources").putObject("adsConfig").put("apiType", "GRPC")
                .put("transportApiVersion", "V3");
        ads.putArray("grpcServices").addObject().putObject("envoyGrpc").put("clusterName", "xds-grpc");
        ObjectNode xds = bootstrap.putObject("staticResources").putArray("clusters").addObject().put("name", "xds-grpc");
        xds.putObject("loadAssignment").putArray("endpoints").addObject().putArray("lbEndpoints").addObject()
                .putObject("endpoint").putObject("address").putObject("socketAddress")
                .put("address", "config-distributor.istio-system.svc").put("portValue", 15012);
        distributor.adminConfigDump = dump.toString();

        golden("secret.txt", "proxy-config", "secret", V1, "--proxy-admin", distributor.hostPort());
        golden("bootstrap.txt", "proxy-config", "bootstrap", V1, "--proxy-admin", distributor.hostPort());
        CliRun.Split run = run("proxy-config", "secret", V1, "--proxy-admin", distributor.hostPort());
        assertThat(run.err()).isEqualTo("config of " + V1 + " from the proxy's own admin endpoint "
                + distributor.baseUrl() + "/config_dump (the configuration it applied)\n");
    }

    private static ObjectNode secret(String name, String kind, String field, String pemFile) {
        ObjectNode entry = ConfigDumps.JSON.createObjectNode().put("name", name).put("versionInfo", "1");
        ObjectNode secret = entry.putObject("secret").put("@type",
                "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.Secret").put("name", name);
        secret.putObject(kind).putObject(field).put("inlineBytes", Base64.getEncoder().encodeToString(
                Golden.read("proxy-config/certs/" + pemFile).getBytes(StandardCharsets.US_ASCII)));
        return entry;
    }
}
