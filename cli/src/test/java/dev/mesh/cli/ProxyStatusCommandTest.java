package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mesh.cli.testing.ConfigDumps;
import dev.mesh.cli.testing.FakeDebugServer;
import dev.mesh.cli.testing.Golden;
import dev.mesh.cli.testing.MockCluster;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code meshctl proxy-status} against two config-distributor replicas (loopback stand-ins serving syncz in the
 * distributor's shape) found through a mock API server; golden outputs under {@code testdata/proxy-status/}.
 */
class ProxyStatusCommandTest {

    static final String V1 = ProxyConfigCommandTest.V1;

    @TempDir
    Path dir;

    MockCluster cluster;
    FakeDebugServer replicaA;
    FakeDebugServer replicaB;
    FakeDebugServer proxyAdmin;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster(dir);
        replicaA = new FakeDebugServer();
        replicaB = new FakeDebugServer();
        proxyAdmin = new FakeDebugServer();
        replicaA.syncz = Golden.read("proxy-status/syncz-replica-a.json");
        replicaB.syncz = Golden.read("proxy-status/syncz-replica-b.json");
        replicaA.configDumps.put(V1, ConfigDumps.fromTranslation(ProxyConfigCommandTest.V1_XDS).toString());
        cluster.controlPlanePod("istio-system", "config-distributor-7c9f8d6b5-abcde", "config-distributor",
                "127.0.0.1", replicaA.port(), true);
        cluster.controlPlanePod("istio-system", "config-distributor-7c9f8d6b5-xyz12", "config-distributor",
                "127.0.0.1", replicaB.port(), true);
    }

    @AfterEach
    void stop() {
        replicaA.close();
        replicaB.close();
        proxyAdmin.close();
        cluster.close();
    }

    private CliRun.Split run(String... args) {
        String[] all = new String[args.length + 2];
        System.arraycopy(args, 0, all, 0, args.length);
        all[args.length] = "--kubeconfig";
        all[args.length + 1] = cluster.kubeconfig();
        return CliRun.split(all);
    }

    @Test
    void everyProxyOfEveryReplica_withItsSyncStateAndReplica() {
        CliRun.Split run = run("proxy-status");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Golden.assertMatches("proxy-status/all.txt", run.out());
        assertThat(run.out().lines().filter(l -> l.startsWith("podinfo-v1")).findFirst().orElseThrow()
                .replaceAll(" +", " "))
                .isEqualTo("podinfo-v1-d57b7c9fd-7swjb.demo - SYNCED SYNCED SYNCED SYNCED NOT SENT"
                        + " config-distributor-7c9f8d6b5-abcde -");
        assertThat(run.out()).contains("STALE");
    }

    @Test
    void aReplicaThatCannotBeRead_isAWarning_andTheOthersAreListed() {
        replicaB.close();

        CliRun.Split run = run("proxy-status");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("podinfo-v1").doesNotContain("podinfo-v2");
        assertThat(run.err()).startsWith("Warning: cannot reach config-distributor-7c9f8d6b5-xyz12 directly");
    }

    @Test
    void onePod_withoutProxyAdmin_saysWhyItCannotCompare() {
        CliRun.Split run = run("proxy-status", "podinfo-v2-7dd4c48986-b985l.demo");

        assertThat(run.exitCode()).as(run.err()).isZero();
        Golden.assertMatches("proxy-status/pod-without-admin.txt", run.out());
    }

    @Test
    void onePod_withProxyAdmin_matchingConfig() {
        proxyAdmin.adminConfigDump = replicaA.configDumps.get(V1);

        CliRun.Split run = run("proxy-status", V1, "--proxy-admin", proxyAdmin.hostPort());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Golden.assertMatches("proxy-status/pod-synced.txt", run.out());
        assertThat(run.out()).endsWith("Clusters Match\nListeners Match\nRoutes Match\nEndpoints Match\n");
    }

    @Test
    void onePod_withProxyAdmin_listsWhatDiffers() {
        ObjectNode applied = ConfigDumps.fromTranslation(ProxyConfigCommandTest.V1_XDS, byType -> {
            byType.withArray("CDS").remove(byType.withArray("CDS").size() - 1);
            ((ObjectNode) byType.withArray("RDS").get(1)).put("validateClusters", true);
            ((ArrayNode) byType.withArray("LDS")).addObject().put("name", "0.0.0.0_8080");
        });
        proxyAdmin.adminConfigDump = applied.toString();

        CliRun.Split run = run("proxy-status", V1, "--proxy-admin", proxyAdmin.hostPort());

        assertThat(run.exitCode()).as(run.err()).isZero();
        Golden.assertMatches("proxy-status/pod-differs.txt", run.out());
        assertThat(run.err()).startsWith("comparing config-distributor replica config-distributor-7c9f8d6b5-abcde");
    }

    @Test
    void unknownPod_isAnError() {
        CliRun.Split run = run("proxy-status", "nosuch.demo");

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err()).contains("proxy nosuch.demo is not connected to any config-distributor replica");
    }
}
