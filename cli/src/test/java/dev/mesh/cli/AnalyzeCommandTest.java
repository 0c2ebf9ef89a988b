package dev.mesh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code meshctl analyze} without a cluster against golden files: each case under
 * {@code src/test/resources/testdata/analyze/} holds input manifests, optional extra arguments ({@code args}), the
 * exact output ({@code expected.txt}, stdout and stderr as printed, the case directory written as {@code $CASE}) and
 * the exit code ({@code exit-code}); each is run with {@code --use-kube=false}. Live analysis is
 * {@link AnalyzeLiveClusterTest}'s.
 * {@code -Dupdate=true} rewrites the golden files; otherwise a difference fails.
 */
class AnalyzeCommandTest {

    private static final Path CASES = Path.of("src/test/resources/testdata/analyze");
    private static final boolean UPDATE = Boolean.getBoolean("update");

    // IST0101, virtualservice.DestinationHostAnalyzer
    @Test
    void unknownDestinationHostMirrorAndPort_reportIst0101() throws IOException {
        golden("destination-host-not-found");
    }

    @Test
    void shortFqdnServiceEntryAndWildcardHosts_resolve() throws IOException {
        golden("destination-host-found");
    }

    // IST0101, virtualservice.DestinationRuleAnalyzer
    @Test
    void subsetMissingInDestinationRule_reportsIst0101() throws IOException {
        golden("subset-missing-in-destination-rule");
    }

    @Test
    void subsetDefinedInDestinationRule_isClean() throws IOException {
        golden("subset-defined-in-destination-rule");
    }

    // IST0101, virtualservice.GatewayAnalyzer
    @Test
    void virtualServiceGatewayNotFound_reportsIst0101() throws IOException {
        golden("virtualservice-gateway-not-found");
    }

    @Test
    void virtualServiceGatewayByNameNamespaceAndMesh_isClean() throws IOException {
        golden("virtualservice-gateway-found");
    }

    // IST0101 and IST0162, gateway.IngressGatewayPortAnalyzer
    @Test
    void gatewaySelectorMatchingNoPod_reportsIst0101() throws IOException {
        golden("gateway-selector-matches-no-pod");
    }

    @Test
    void gatewayPortNotOnIngressService_reportsIst0162() throws IOException {
        golden("gateway-port-not-on-service");
    }

    @Test
    void gatewayPortMatchingServicePortOrTargetPort_isClean() throws IOException {
        golden("gateway-port-on-service");
    }

    // IST0173, destinationrule.SubsetSelectPodAnalyzer
    @Test
    void subsetSelectingNoPodOfTheService_reportsIst0173() throws IOException {
        golden("destination-rule-subset-selects-no-pods");
    }

    @Test
    void subsetsSelectingDeploymentAndStatefulSetPods_areClean() throws IOException {
        golden("destination-rule-subset-selects-deployment-pods");
    }

    // IST0106, schema.ValidationAnalyzer.<Kind>
    @Test
    void invalidField_reportsIst0106WithItsPath() throws IOException {
        golden("schema-error");
    }

    // IST0102 and IST0103, injection.Analyzer
    @Test
    void namespaceWithoutInjectionLabel_reportsIst0102() throws IOException {
        golden("namespace-not-injected");
    }

    @Test
    void injectedOrOptedOutPodsInInjectedNamespaces_areClean() throws IOException {
        golden("namespace-injected");
    }

    @Test
    void podWithoutProxyInInjectedNamespace_reportsIst0103() throws IOException {
        golden("pod-missing-proxy");
    }

    // IST0112, virtualservice.DestinationHostAnalyzer
    @Test
    void destinationWithoutPortToMultiPortService_reportsIst0112() throws IOException {
        golden("destination-port-selector-required");
    }

    @Test
    void destinationWithPortToMultiPortService_isClean() throws IOException {
        golden("destination-port-selected");
    }

    // IST0132, virtualservice.GatewayAnalyzer
    @Test
    void virtualServiceHostsNotServedByItsGateways_reportIst0132() throws IOException {
        golden("virtualservice-host-not-in-gateway");
    }

    @Test
    void virtualServiceHostsServedByWildcardAllNamespacesAndGatewayApiListeners_areClean() throws IOException {
        golden("virtualservice-host-in-gateway");
    }

    // IST0109, virtualservice.ConflictingMeshGatewayHostsAnalyzer
    @Test
    void meshVirtualServicesWithOverlappingHosts_reportIst0109OncePerVirtualService() throws IOException {
        golden("mesh-virtualservices-conflict");
    }

    @Test
    void sameHostForGatewayOnlyOrOtherExportTargets_isClean() throws IOException {
        golden("mesh-virtualservices-distinct");
    }

    // IST0130 and IST0131, schema.ValidationAnalyzer.VirtualService
    @Test
    void duplicateAndCoveredMatchesAndRulesAfterCatchAll_reportIst0130AndIst0131() throws IOException {
        golden("virtualservice-unreachable-rules");
    }

    @Test
    void longerPrefixesFirstAndOtherMethods_areClean() throws IOException {
        golden("virtualservice-rules-all-reachable");
    }

    // IST0174, destinationrule.SubsetSelectPodAnalyzer
    @Test
    void destinationRuleHostMatchingNoService_reportsIst0174() throws IOException {
        golden("destination-rule-host-unknown");
    }

    @Test
    void destinationRuleHostsOfServicesAndServiceEntries_areClean() throws IOException {
        golden("destination-rule-host-known");
    }

    // IST0145, gateway.ConflictingGatewayAnalyzer
    @Test
    void gatewaysWithSamePodsPortAndHost_reportIst0145() throws IOException {
        golden("gateways-conflict");
    }

    @Test
    void gatewaysWithSamePodsButOtherPortsOrHosts_areClean() throws IOException {
        golden("gateways-distinct");
    }

    // IST0101 "credentialName", gateway.SecretAnalyzer
    @Test
    void gatewayCredentialNotInGatewayPodNamespace_reportsIst0101() throws IOException {
        golden("gateway-credential-not-found");
    }

    // IST0123 and IST0148, injection.Analyzer
    @Test
    void namespaceWithTwoWaysIntoTheMesh_reportsIst0123() throws IOException {
        golden("namespace-multiple-injection-labels");
    }

    @Test
    void namespacesWithOneWayIntoTheMeshOrOptedOut_areClean() throws IOException {
        golden("namespace-single-injection-label");
    }

    @Test
    void unlabelledNamespaceWithInjectorEnabledByDefault_reportsIst0148NotIst0102() throws IOException {
        golden("namespace-injection-enabled-by-default");
    }

    // IST0101 "selector" and IST0110, sidecar.SelectorAnalyzer
    @Test
    void sidecarSelectingNothingOrTheSamePodsAsAnother_reportsIst0101AndIst0110() throws IOException {
        golden("sidecar-selector-problems");
    }

    @Test
    void sidecarPerWorkloadAndNamespaceDefault_areClean() throws IOException {
        golden("sidecar-selector-ok");
    }

    // IST0101 "selector" and IST0159, telemetry.SelectorAnalyzer
    @Test
    void telemetrySelectingNothingOrTheSamePodsAsAnother_reportsIst0101AndIst0159() throws IOException {
        golden("telemetry-selector-problems");
    }

    @Test
    void telemetryPerWorkloadAndNamespaceDefault_areClean() throws IOException {
        golden("telemetry-selector-ok");
    }

    // IST0101 "namespace", auth.AuthorizationPoliciesAnalyzer
    @Test
    void authorizationPolicySourceNamespaceMatchingNone_reportsIst0101() throws IOException {
        golden("authorization-policy-namespace-not-found");
    }

    @Test
    void authorizationPolicySourceNamespacesKnownOrWildcards_areClean() throws IOException {
        golden("authorization-policy-namespaces-found");
    }

    @Test
    void listAnalyzers_namesEveryAnalyzerAsIstioDoes() {
        CliRun run = CliRun.of("analyze", "--list-analyzers");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).contains("* schema.ValidationAnalyzer.VirtualService",
                "* virtualservice.ConflictingMeshGatewayHostsAnalyzer", "* gateway.ConflictingGatewayAnalyzer",
                "* gateway.SecretAnalyzer", "* auth.AuthorizationPoliciesAnalyzer", "* sidecar.SelectorAnalyzer",
                "* telemetry.SelectorAnalyzer");
    }

    @Test
    void emptyYamlDocuments_areSkippedAsKubectlDoes() throws IOException {
        golden("empty-documents");
    }

    // The command itself
    @Test
    void brokenYaml_namesTheFile_andExitsWithDataError() throws IOException {
        golden("broken-yaml");
    }

    @Test
    void issuesInAnotherNamespace_areNotReported() throws IOException {
        golden("issues-in-other-namespace-not-reported");
    }

    @Test
    void jsonOutput_listsMessages_andExitsZero() throws IOException {
        golden("json-output");
    }

    @Test
    void warningBelowDefaultFailureThreshold_exitsZero() throws IOException {
        golden("warning-below-failure-threshold");
    }

    @Test
    void warningAtFailureThreshold_exitsWithAnalyzerFoundIssues() throws IOException {
        golden("warning-at-failure-threshold");
    }

    @Test
    void walkthroughManifests_haveNoIssues() {
        Path seed = Path.of(System.getProperty("user.dir")).resolve("../../shared/seed/manifests").normalize();
        if (!Files.isDirectory(seed)) {
            fail("the walkthrough's manifests are missing: expected them at " + seed);
        }

        CliRun run = CliRun.of("analyze", "--use-kube=false", "-f", seed.toString(), "-n", "demo");

        assertThat(run.output()).isEqualTo("\u2714 No validation issues found when analyzing namespace: demo."
                + System.lineSeparator());
        assertThat(run.exitCode()).isZero();
    }

    @Test
    void noFilesWithUseKubeFalse_analyzesNothing_andIsClean() {
        CliRun run = CliRun.of("analyze", "--use-kube=false");

        assertThat(run.exitCode()).isZero();
        assertThat(run.output()).isEqualTo("\u2714 No validation issues found when analyzing namespace: default."
                + System.lineSeparator());
    }

    @Test
    void allNamespaces_saysSoWhenClean() {
        CliRun run = CliRun.of("analyze", "--use-kube=false", "-A");

        assertThat(run.output()).contains("when analyzing all namespaces.");
    }

    @Test
    void missingFile_failsLikeIstioctl() {
        CliRun run = CliRun.of("analyze", "-f", "does-not-exist.yaml");

        assertThat(run.exitCode()).isEqualTo(ExitCodes.UNKNOWN_ERROR);
        assertThat(run.output()).contains("does-not-exist.yaml: no such file or directory");
    }

    @Test
    void invalidThreshold_isAUsageError() {
        assertThat(CliRun.of("analyze", "--use-kube=false", "--failure-threshold", "Fatal").exitCode())
                .isEqualTo(ExitCodes.INCORRECT_USAGE);
    }

    private static void golden(String name) throws IOException {
        Path dir = CASES.resolve(name);
        assertThat(dir).as("golden case directory").isDirectory();
        List<String> args = new ArrayList<>(List.of("analyze", "--use-kube=false", "-f", dir.toString()));
        Path argsFile = dir.resolve("args");
        if (Files.exists(argsFile)) {
            args.addAll(Arrays.asList(Files.readString(argsFile).trim().split("\\s+")));
        }
        CliRun run = CliRun.of(args.toArray(String[]::new));
        String output = run.output().replace(System.lineSeparator(), "\n").replace(dir.toString(), "$CASE");
        String exitCode = run.exitCode() + "\n";

        Path expectedOutput = dir.resolve("expected.txt");
        Path expectedExit = dir.resolve("exit-code");
        if (UPDATE) {
            Files.writeString(expectedOutput, output, StandardCharsets.UTF_8);
            Files.writeString(expectedExit, exitCode, StandardCharsets.UTF_8);
            return;
        }
        if (!Files.exists(expectedOutput) || !Files.exists(expectedExit)) {
            fail("golden files missing for " + name + "; run with -Dupdate=true to write them");
        }
        assertThat(output).as("output of meshctl %s (stale golden file? -Dupdate=true rewrites it)",
                String.join(" ", args)).isEqualTo(Files.readString(expectedOutput, StandardCharsets.UTF_8));
        assertThat(exitCode).as("exit code of meshctl %s", String.join(" ", args))
                .isEqualTo(Files.readString(expectedExit, StandardCharsets.UTF_8));
    }
}
