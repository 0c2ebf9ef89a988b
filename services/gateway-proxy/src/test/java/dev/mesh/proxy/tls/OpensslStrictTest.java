package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.identity.Pem;
import dev.mesh.proxy.identity.WorkloadCertificate;
import dev.mesh.proxy.testing.TestCa;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code openssl s_client} against a server built from a STRICT inbound context, as the issue asks: no client
 * certificate fails, a certificate from another trust domain fails, a mesh certificate gets through.
 */
class OpensslStrictTest {

    static final Clock CLOCK = Clock.systemUTC();
    static final String RATINGS = "spiffe://cluster.local/ns/shop/sa/ratings";
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";

    @TempDir
    static Path dir;
    static final TestCa CA = new TestCa("mesh", CLOCK);
    static TlsPeers.Server server;

    @BeforeAll
    static void start() throws Exception {
        boolean haveOpenssl = Files.isExecutable(Path.of("/usr/bin/openssl"));
        if (!haveOpenssl && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("openssl is needed by this test (apt-get install openssl)");
        }
        Assumptions.assumeTrue(haveOpenssl, "no /usr/bin/openssl; skipping");
        CertificateStore store = CertificateStore.of(CA.issue(RATINGS, Duration.ofHours(1)));
        var context = ServerTlsSettings.from(MeshContexts.inbound("cluster.local"), new SecretResolver(store), CLOCK,
                "strict").nettyContext();
        server = new TlsPeers.Server(() -> context.newHandler(ByteBufAllocator.DEFAULT));
        Files.writeString(dir.resolve("root.pem"), CA.rootPem());
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    record Result(boolean answered, String output) {
    }

    /** Runs s_client, sends a line and waits for the server's answer or for the connection to end. */
    static Result sClient(WorkloadCertificate clientCert, String tlsVersion) throws Exception {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + server.port(),
                "-CAfile", dir.resolve("root.pem").toString(), "-verify_return_error", "-ign_eof", tlsVersion));
        if (clientCert != null) {
            Path cert = Files.writeString(Files.createTempFile(dir, "cert", ".pem"), Pem.encode(clientCert.chain()));
            Path key = Files.writeString(Files.createTempFile(dir, "key", ".pem"), Pem.encode(clientCert.key()));
            command.addAll(List.of("-cert", cert.toString(), "-key", key.toString()));
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
        process.getOutputStream().flush();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        InputStream in = process.getInputStream();
        while (System.nanoTime() < deadline) {
            while (in.available() > 0) {
                out.write(in.read());
            }
            String text = out.toString(StandardCharsets.US_ASCII);
            if (text.contains("tls=true peer=")) {
                process.destroy();
                return new Result(true, text);
            }
            if (!process.isAlive()) {
                out.write(in.readAllBytes());
                return new Result(false, out.toString(StandardCharsets.US_ASCII));
            }
            Thread.sleep(20);
        }
        process.destroyForcibly();
        throw new AssertionError("openssl s_client neither got an answer nor ended: " + out);
    }

    @Test
    void meshCertificate_getsThrough() throws Exception {
        Result result = sClient(CA.issue(REVIEWS, Duration.ofHours(1)), "-tls1_3");
        assertThat(result.answered()).as(result.output()).isTrue();
        assertThat(result.output()).contains("tls=true peer=" + REVIEWS);
    }

    @Test
    void noClientCertificate_fails_tls13AndTls12() throws Exception {
        for (String version : List.of("-tls1_3", "-tls1_2")) {
            Result result = sClient(null, version);
            assertThat(result.answered()).as(version + ": " + result.output()).isFalse();
            assertThat(result.output()).as(version).containsIgnoringCase("alert");
        }
    }

    @Test
    void otherTrustDomain_fails() throws Exception {
        Result sameRoot = sClient(CA.issue("spiffe://evil.example/ns/shop/sa/reviews", Duration.ofHours(1)), "-tls1_3");
        assertThat(sameRoot.answered()).as(sameRoot.output()).isFalse();
        assertThat(sameRoot.output()).containsIgnoringCase("alert");

        TestCa other = new TestCa("other-mesh", CLOCK);
        Result otherRoot = sClient(other.issue("spiffe://other.local/ns/shop/sa/reviews", Duration.ofHours(1)), "-tls1_2");
        assertThat(otherRoot.answered()).as(otherRoot.output()).isFalse();
        assertThat(otherRoot.output()).containsIgnoringCase("alert");
    }
}
