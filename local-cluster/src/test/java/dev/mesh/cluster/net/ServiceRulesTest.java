package dev.mesh.cluster.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ServiceRulesTest {

    private static final ServiceRules.ServicePort WEB = new ServiceRules.ServicePort("demo/web", "http", "TCP",
            List.of("10.96.0.10", "10.244.0.9"), 80, List.of(new ServiceRules.Endpoint("10.244.0.2", 8080),
                    new ServiceRules.Endpoint("10.244.0.3", 8080), new ServiceRules.Endpoint("10.244.0.4", 8080)));

    @Test
    void threeEndpoints_arePickedWithKubeProxysProbabilities() {
        String in = ServiceRules.nat(List.of(WEB), "10.244.0.0/16", Set.of()).input();

        String svc = ServiceRules.chain("MESH-SVC-", "demo/web/http/TCP");
        assertThat(in).contains("-A MESH-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment"
                + " \"demo/web:http\" -j " + svc)
                .contains("-A MESH-SERVICES -d 10.244.0.9/32 -p tcp -m tcp --dport 80")
                .contains("-A " + svc + " -s 10.244.0.0/16 -j MARK --set-xmark 0x4000/0x4000")
                .contains("-A " + svc + " -m statistic --mode random --probability 0.33333 -j ")
                .contains("-A " + svc + " -m statistic --mode random --probability 0.50000 -j ")
                .contains("-j DNAT --to-destination 10.244.0.4:8080")
                .contains("-A MESH-POSTROUTING -m mark --mark 0x4000/0x4000 -j MASQUERADE")
                .startsWith("*nat\n").endsWith("COMMIT\n");
        // The last endpoint takes whatever is left: no statistic match on its jump.
        String last = in.lines().filter(l -> l.startsWith("-A " + svc + " -j MESH-SEP-")).findFirst().orElseThrow();
        assertThat(in).contains("-A " + last.substring(last.indexOf("-j ") + 3)
                + " -p tcp -m tcp -j DNAT --to-destination 10.244.0.4:8080");
    }

    @Test
    void serviceWithoutEndpoints_getsNoChain() {
        var restore = ServiceRules.nat(List.of(new ServiceRules.ServicePort("demo/idle", "http", "TCP",
                List.of("10.96.0.11"), 80, List.of())), "10.244.0.0/16", Set.of());

        assertThat(restore.chains()).isEmpty();
        assertThat(restore.input()).doesNotContain("10.96.0.11");
    }

    @Test
    void chainsOfAGoneService_areFlushedAndDeleted() {
        var first = ServiceRules.nat(List.of(WEB), "10.244.0.0/16", Set.of());

        var second = ServiceRules.nat(List.of(), "10.244.0.0/16", first.chains());

        assertThat(first.chains()).hasSize(4);
        for (String chain : first.chains()) {
            assertThat(second.input()).contains(":" + chain + " - [0:0]\n").contains("-X " + chain + "\n");
        }
        assertThat(second.chains()).isEmpty();
    }

    @Test
    void chainNames_fitIptablesLimitAndAreStable() {
        String a = ServiceRules.chain("MESH-SEP-", "some-namespace/some-very-long-service-name/http/10.244.0.2:8080");

        assertThat(a).hasSizeLessThanOrEqualTo(28).isEqualTo(ServiceRules.chain("MESH-SEP-",
                "some-namespace/some-very-long-service-name/http/10.244.0.2:8080"));
    }
}
