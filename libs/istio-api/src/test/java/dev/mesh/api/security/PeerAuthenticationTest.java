package dev.mesh.api.security;

import static dev.mesh.api.security.SecurityManifests.assertError;
import static dev.mesh.api.security.SecurityManifests.readOne;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mesh.api.IstioResource;
import dev.mesh.api.Kind;
import dev.mesh.api.security.PeerAuthentication.MutualTLS;
import dev.mesh.api.security.PeerAuthentication.MutualTLS.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PeerAuthenticationTest {

    private static final String NAME = "PeerAuthentication demo/pa";

    private static IstioResource<PeerAuthentication> read(String spec) {
        return readOne(Kind.PEER_AUTHENTICATION, """
                apiVersion: security.istio.io/v1
                kind: PeerAuthentication
                metadata: {name: pa, namespace: demo}
                spec:
                """ + spec.indent(2));
    }

    @Test
    void fullSpec_parsesIntoTypedFields() {
        IstioResource<PeerAuthentication> pa = read("""
                selector:
                  matchLabels: {app: podinfo, version: v1}
                mtls: {mode: STRICT}
                portLevelMtls:
                  "8080": {mode: DISABLE}
                  9090: {mode: PERMISSIVE}
                """);

        assertThat(pa.problems()).isEmpty();
        PeerAuthentication spec = pa.spec();
        assertThat(spec.selector().matchLabels()).containsExactly(Map.entry("app", "podinfo"), Map.entry("version", "v1"));
        assertThat(spec.mtls().mode()).isEqualTo(Mode.STRICT);
        assertThat(spec.portLevelMtls()).containsExactly(
                Map.entry(8080, new MutualTLS(Mode.DISABLE)), Map.entry(9090, new MutualTLS(Mode.PERMISSIVE)));
        assertThatThrownBy(() -> spec.portLevelMtls().put(1, new MutualTLS(Mode.STRICT)))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void absentFields_takeProtoDefaults() {
        PeerAuthentication empty = read("{}").spec();
        assertThat(empty.selector()).isNull();
        assertThat(empty.mtls()).isNull();
        assertThat(empty.portLevelMtls()).isEmpty();

        PeerAuthentication noMode = read("mtls: {}").spec();
        assertThat(noMode.mtls().mode()).isEqualTo(Mode.UNSET);
    }

    @Test
    void walkthroughManifest_parsesWithoutProblems() throws IOException {
        Path file = Path.of(System.getProperty("user.dir"))
                .resolve("../../../shared/seed/manifests/peer-authentication.yaml").normalize();
        assertThat(file).as("the walkthrough's manifest %s", file).exists();

        IstioResource<PeerAuthentication> pa = readOne(Kind.PEER_AUTHENTICATION, Files.readString(file));

        assertThat(pa.problems()).isEmpty();
        assertThat(pa.displayName()).isEqualTo("PeerAuthentication demo/default");
        assertThat(pa.spec().selector()).isNull();
        assertThat(pa.spec().mtls().mode()).isEqualTo(Mode.STRICT);
    }

    @Test
    void v1beta1_isReadToo() {
        IstioResource<PeerAuthentication> pa = readOne(Kind.PEER_AUTHENTICATION, """
                apiVersion: security.istio.io/v1beta1
                kind: PeerAuthentication
                metadata: {name: pa, namespace: demo}
                spec: {mtls: {mode: PERMISSIVE}}
                """);
        assertThat(pa.problems()).isEmpty();
        assertThat(pa.spec().mtls().mode()).isEqualTo(Mode.PERMISSIVE);
    }

    @Test
    void portLevelMtlsWithoutSelector_isRejected() {
        IstioResource<PeerAuthentication> pa = read("""
                mtls: {mode: STRICT}
                portLevelMtls: {"8080": {mode: DISABLE}}
                """);
        assertError(pa, NAME, "spec.portLevelMtls", "requires a selector");
    }

    @Test
    void portLevelMtlsWithEmptySelector_isRejected() {
        IstioResource<PeerAuthentication> pa = read("""
                selector: {matchLabels: {}}
                portLevelMtls: {"8080": {mode: DISABLE}}
                """);
        assertError(pa, NAME, "spec.portLevelMtls", "requires a selector");
    }

    @Test
    void portOutOfRange_isRejected() {
        IstioResource<PeerAuthentication> pa = read("""
                selector: {matchLabels: {app: podinfo}}
                portLevelMtls:
                  "0": {mode: DISABLE}
                  "70000": {mode: DISABLE}
                  http: {mode: DISABLE}
                """);
        assertError(pa, NAME, "spec.portLevelMtls.0", "port \"0\" must be a number in the range 1..65535");
        assertError(pa, NAME, "spec.portLevelMtls.70000", "must be a number in the range 1..65535");
        assertError(pa, NAME, "spec.portLevelMtls.http", "must be a number in the range 1..65535");
    }

    @Test
    void emptyPortLevelMtls_isRejected() {
        IstioResource<PeerAuthentication> pa = read("""
                selector: {matchLabels: {app: podinfo}}
                portLevelMtls: {}
                """);
        assertError(pa, NAME, "spec.portLevelMtls", "at least one port");
    }

    @Test
    void unknownMode_isRejected() {
        IstioResource<PeerAuthentication> pa = read("mtls: {mode: STRICTLY}");
        assertError(pa, NAME, "spec.mtls.mode", "unknown value \"STRICTLY\"");
        assertThat(pa.spec().mtls().mode()).isEqualTo(Mode.UNSET);
    }

    @Test
    void wildcardInSelector_isRejected() {
        IstioResource<PeerAuthentication> pa = read("selector: {matchLabels: {app: \"pod*\"}}");
        assertError(pa, NAME, "spec.selector.matchLabels.app", "wildcards are not supported");
    }

    @Test
    void unknownField_isAWarningNotAnError() {
        IstioResource<PeerAuthentication> pa = read("mtls: {mode: STRICT, strictness: high}");
        assertThat(pa.isValid()).isTrue();
        assertThat(pa.unknownFields()).containsExactly("spec.mtls.strictness");
    }
}
