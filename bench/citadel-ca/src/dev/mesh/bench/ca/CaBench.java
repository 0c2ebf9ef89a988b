package dev.mesh.bench.ca;

import dev.mesh.ca.grpc.v1.IstioCertificateRequest;
import dev.mesh.ca.grpc.v1.IstioCertificateServiceGrpc;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Load generator for citadel-ca: starts a mock Kubernetes API server (CRUD plus truthful
 * TokenReviews), starts the packaged CA jar against it as its own process, then drives
 * CreateCertificate over TLS on loopback with RSA 2048 and ECDSA P-256 CSRs made beforehand (key
 * generation is outside the measured window) and reports CSRs/s and latency percentiles.
 *
 * <p>Arguments: the CA's quarkus-run.jar, seconds measured per key type, concurrent callers, and
 * optionally {@code ec-first} to measure ECDSA before RSA.
 */
public final class CaBench {

    private static final String ID = "spiffe://cluster.local/ns/bench/sa/load";
    private static final String TOKEN = "bench-service-account-token";
    private static final int DISTINCT_CSRS = 32;
    /** Held so the setting sticks: the mock server logs every request at INFO, which would cost more than the CA. */
    private static final java.util.logging.Logger MOCK_LOG = java.util.logging.Logger.getLogger("io.fabric8.mockwebserver");

    public static void main(String[] args) throws Exception {
        MOCK_LOG.setLevel(java.util.logging.Level.WARNING);
        Path jar = Path.of(args[0]);
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int callers = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        List<String> types = args.length > 3 && "ec-first".equals(args[3]) ? List.of("ECDSA P-256", "RSA 2048")
                : List.of("RSA 2048", "ECDSA P-256");

        KubernetesMockServer api = mockApi();
        int grpcPort = freePort();
        int httpPort = freePort();
        Path log = Files.createTempFile("citadel-ca-bench", ".log");
        List<String> command = new ArrayList<>(List.of("java", "-Xmx256m"));
        String extra = System.getenv("BENCH_CA_JAVA_OPTS");
        if (extra != null && !extra.isBlank()) {
            command.addAll(List.of(extra.trim().split("\\s+")));
        }
        command.addAll(List.of(
                "-Dquarkus.kubernetes-client.api-server-url=" + api.url("/"),
                "-Dquarkus.kubernetes-client.trust-certs=true",
                "-Dkubernetes.auth.tryKubeConfig=false", "-Dkubernetes.auth.tryServiceAccount=false",
                "-Dmesh.ca.grpc-host=127.0.0.1", "-Dmesh.ca.grpc-port=" + grpcPort, "-Dmesh.ca.http-port=" + httpPort,
                "-jar", jar.toString()));
        Process ca = new ProcessBuilder(command)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            awaitReady(httpPort, ca, log);
            X509Certificate root = root(api);
            System.out.printf("citadel-ca ready (log %s); %d callers, %d s per key type after 8 s warm-up on each%n", log, callers, seconds);
            ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                    .overrideAuthority("citadel-ca.istio-system.svc")
                    .sslContext(GrpcSslContexts.forClient().trustManager(root).build()).build();
            System.out.println("| CSR key | callers | seconds | CSRs/s | p50 | p99 | max | errors |");
            System.out.println("|---|---|---|---|---|---|---|---|");
            Map<String, List<String>> csrs = new java.util.LinkedHashMap<>();
            for (String type : types) {
                csrs.put(type, csrs(type));
            }
            // Warm up (JIT) on both key types before measuring either, so the order does not matter.
            for (String type : types) {
                run(channel, csrs.get(type), callers, 8, null);
            }
            for (String type : types) {
                run(channel, csrs.get(type), callers, seconds, type);
            }
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            ca.destroy();
            ca.waitFor(10, TimeUnit.SECONDS);
            api.destroy();
        }
        // The mock server's and gRPC's non-daemon threads would otherwise keep the JVM up.
        System.exit(0);
    }

    private static void run(ManagedChannel channel, List<String> csrs, int callers, int seconds, String label) throws Exception {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + TOKEN);
        var stub = IstioCertificateServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        List<long[]> perThread = new ArrayList<>();
        AtomicInteger errors = new AtomicInteger();
        AtomicLong firstError = new AtomicLong();
        List<Thread> threads = new ArrayList<>();
        List<Integer> counts = new ArrayList<>();
        for (int t = 0; t < callers; t++) {
            long[] latencies = new long[2_000_000 / callers];
            perThread.add(latencies);
            counts.add(0);
            int index = t;
            Thread thread = new Thread(() -> {
                int n = 0;
                while (System.nanoTime() < end && n < latencies.length) {
                    String csr = csrs.get((index + n * callers) % csrs.size());
                    long start = System.nanoTime();
                    try {
                        var reply = stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                                .createCertificate(IstioCertificateRequest.newBuilder().setCsr(csr).build());
                        if (reply.getCertChainCount() < 2) {
                            errors.incrementAndGet();
                        }
                    } catch (RuntimeException e) {
                        if (errors.getAndIncrement() == 0) {
                            System.err.println("first error: " + e);
                            firstError.set(1);
                        }
                    }
                    latencies[n++] = System.nanoTime() - start;
                }
                synchronized (counts) {
                    counts.set(index, n);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        if (label == null) {
            return;
        }
        int total = counts.stream().mapToInt(Integer::intValue).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < callers; t++) {
            System.arraycopy(perThread.get(t), 0, all, at, counts.get(t));
            at += counts.get(t);
        }
        Arrays.sort(all);
        System.out.printf("| %s | %d | %d | %,.0f | %.1f ms | %.1f ms | %.1f ms | %d |%n", label, callers, seconds,
                total / (double) seconds, millis(all, 0.50), millis(all, 0.99), all[all.length - 1] / 1e6, errors.get());
    }

    private static double millis(long[] sorted, double quantile) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(quantile * sorted.length) - 1)] / 1e6;
    }

    private static List<String> csrs(String type) throws Exception {
        KeyPairGenerator generator;
        String algorithm;
        if (type.startsWith("RSA")) {
            generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            algorithm = "SHA256withRSA";
        } else {
            generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            algorithm = "SHA256withECDSA";
        }
        List<String> csrs = new ArrayList<>();
        for (int i = 0; i < DISTINCT_CSRS; i++) {
            KeyPair keys = generator.generateKeyPair();
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(Extension.subjectAlternativeName, true,
                    new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, ID)));
            var csr = new JcaPKCS10CertificationRequestBuilder(new X500Name("O=cluster.local"), keys.getPublic())
                    .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate())
                    .build(new JcaContentSignerBuilder(algorithm).build(keys.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
                writer.writeObject(csr);
            }
            csrs.add(out.toString());
        }
        return csrs;
    }

    /** CRUD mock API server that authenticates {@link #TOKEN} as bench/load for audience istio-ca. */
    private static KubernetesMockServer mockApi() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), responses,
                new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews").andReply(201, request -> {
            TokenReview review = Serialization.unmarshal(request.getUtf8Body(), TokenReview.class);
            boolean ok = TOKEN.equals(review.getSpec().getToken()) && review.getSpec().getAudiences().contains("istio-ca");
            review.setStatus(ok
                    ? new TokenReviewStatusBuilder().withAuthenticated(true).withAudiences("istio-ca")
                            .withNewUser().withUsername("system:serviceaccount:bench:load").endUser().build()
                    : new TokenReviewStatusBuilder().withAuthenticated(false).withError("invalid bearer token").build());
            return review;
        }).always();
        return server;
    }

    private static X509Certificate root(KubernetesMockServer api) throws Exception {
        try (KubernetesClient client = api.createClient()) {
            Secret secret = client.secrets().inNamespace("istio-system").withName("istio-ca-secret").get();
            byte[] pem = Base64.getDecoder().decode(secret.getData().get("root-cert.pem"));
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(new ByteArrayInputStream(pem));
        }
    }

    private static void awaitReady(int httpPort, Process ca, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!ca.isAlive()) {
                throw new IllegalStateException("citadel-ca exited:\n" + Files.readString(log, StandardCharsets.UTF_8));
            }
            try {
                HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + httpPort + "/q/health/ready").toURL().openConnection();
                if (connection.getResponseCode() == 200) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("citadel-ca not ready within 60 s:\n" + Files.readString(log, StandardCharsets.UTF_8));
    }

    private static int freePort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
