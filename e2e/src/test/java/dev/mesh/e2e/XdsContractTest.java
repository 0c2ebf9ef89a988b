package dev.mesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The proxy's tests check that it accepts what the control plane sends, using copies of the
 * distributor's golden files (services share no code). A copy that falls behind its original fails here.
 */
class XdsContractTest {

    private static final Map<String, String> COPIES = Map.of(
            "walkthrough-ingressgateway.json", "walkthrough/istio-ingressgateway-584467857d-h8gtc.json",
            "walkthrough-sidecar.json", "walkthrough/podinfo-v1-d57b7c9fd-7swjb.json",
            "route-actions-client.json", "route-actions/client-1.json",
            "route-matches-client.json", "route-matches/client-1.json",
            "destination-rule-policies-client.json", "destination-rule-policies/client-1.json");

    @Test
    void proxyTestCopies_equalTheDistributorsGoldenFiles() throws Exception {
        Path root = ServiceProcess.root();
        Path copies = root.resolve("services/gateway-proxy/src/test/resources/testdata/xds");
        Path originals = root.resolve("services/config-distributor/src/test/resources/testdata/translate");
        for (Map.Entry<String, String> e : COPIES.entrySet()) {
            assertThat(Files.readString(copies.resolve(e.getKey())))
                    .as("%s is a copy of the distributor's %s: copy it again", e.getKey(), e.getValue())
                    .isEqualTo(Files.readString(originals.resolve(e.getValue())));
        }
    }
}
