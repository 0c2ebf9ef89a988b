package dev.mesh.ca.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.ca.CaRuntime;
import dev.mesh.ca.model.CaSettings;
import dev.mesh.ca.pki.Certificates;
import dev.mesh.ca.pki.Pem;
import dev.mesh.ca.testing.CaClient;
import dev.mesh.ca.testing.Csrs;
import dev.mesh.ca.testing.MockApiServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x509.GeneralName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Randomised hostile requests over the real TLS gRPC API: every one is refused with a deliberate
 * status and a message, the signer issues nothing, and the server keeps serving.
 */
class HostileRequestsTest {

    private static final int REQUESTS = 1_200;
    private static final String ID = "spiffe://cluster.local/ns/demo/sa/podinfo";
    /** What a deliberate refusal looks like; UNKNOWN or INTERNAL would mean an exception escaped. */
    private static final Set<Status.Code> DELIBERATE = EnumSet.of(Status.Code.UNAUTHENTICATED, Status.Code.PERMISSION_DENIED,
            Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);

    private enum Attack {
        NO_CREDENTIALS, FORGED_TOKEN, WRONG_AUDIENCE, REVOKED_TOKEN, USER_TOKEN, NOT_BEARER, HUGE_TOKEN,
        OTHER_IDENTITY, OTHER_TRUST_DOMAIN, EXTRA_URI, DNS_SAN, BIT_FLIP, TRUNCATED, RANDOM_BYTES, SPLICED,
        WEAK_KEY, UNSUPPORTED_CURVE, SHA1, TTL_TOO_LONG, NEGATIVE_TTL, OVERSIZED, CERTIFICATE_AS_CSR
    }

    private final MockApiServer api = new MockApiServer();
    private CaRuntime ca;

    @AfterEach
    void stop() {
        if (ca != null) {
            ca.close();
        }
        api.close();
    }

    @Test
    void thousandsOfHostileRequests_yieldNoCertificate_andTheServerKeepsServing() throws Exception {
        ca = new CaRuntime(api.server().createClient(), CaSettings.defaults("istio-system"), Clock.systemUTC(), new SimpleMeterRegistry(), null);
        ca.start("127.0.0.1", 0);
        CaServerEndToEndTest.await(ca::isReady, Duration.ofSeconds(20), "CA ready");

        long seed = System.nanoTime();
        Random random = new Random(seed);
        String token = "Bearer " + api.serviceAccountToken("demo", "podinfo", "istio-ca");
        String wrongAudience = "Bearer " + api.serviceAccountToken("demo", "podinfo", "https://kubernetes.default.svc");
        String revoked = "Bearer " + api.refusedToken("[invalid bearer token, service account demo/podinfo has been deleted]");
        String user = "Bearer " + api.userToken("alice", "istio-ca");
        List<KeyPair> keys = List.of(Csrs.ecP256(), Csrs.ecP256(), Csrs.rsa2048());
        KeyPair weak = Certificates.rsaKeyPair(1024);
        KeyPair p521 = Certificates.ecKeyPair("secp521r1");
        String root = Pem.encode(ca.keyMaterial().get().root());

        Map<Attack, AtomicInteger> seen = new ConcurrentHashMap<>();
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<CaClient> clients = new ArrayList<>();
        try {
            List<Future<?>> running = new ArrayList<>();
            for (int worker = 0; worker < 4; worker++) {
                CaClient client = CaClient.connect(ca.grpcPort(), ca.keyMaterial().get().root(), CaServerEndToEndTest.AUTHORITY);
                clients.add(client);
                Random own = new Random(random.nextLong());
                running.add(pool.submit(() -> {
                    for (int i = 0; i < REQUESTS / 4; i++) {
                        Attack attack = Attack.values()[own.nextInt(Attack.values().length)];
                        seen.computeIfAbsent(attack, a -> new AtomicInteger()).incrementAndGet();
                        KeyPair key = keys.get(own.nextInt(keys.size()));
                        String csr = Csrs.spiffe(key, ID);
                        String auth = token;
                        long ttl = 0;
                        switch (attack) {
                            case NO_CREDENTIALS -> auth = null;
                            case FORGED_TOKEN -> auth = "Bearer " + randomToken(own);
                            case WRONG_AUDIENCE -> auth = wrongAudience;
                            case REVOKED_TOKEN -> auth = revoked;
                            case USER_TOKEN -> auth = user;
                            case NOT_BEARER -> auth = List.of("Basic YWRtaW46YWRtaW4=", "Bearer", "bearer  ", "Token abc", "").get(own.nextInt(5));
                            case HUGE_TOKEN -> auth = "Bearer " + "A".repeat(17_000 + own.nextInt(4_000));
                            case OTHER_IDENTITY -> csr = Csrs.spiffe(key, "spiffe://cluster.local/ns/" + name(own) + "/sa/" + name(own));
                            case OTHER_TRUST_DOMAIN -> csr = Csrs.spiffe(key, "spiffe://" + name(own) + ".local/ns/demo/sa/podinfo");
                            case EXTRA_URI -> csr = Csrs.csr(key, algorithm(key), List.of(uri(ID), uri("spiffe://cluster.local/ns/kube-system/sa/" + name(own))));
                            case DNS_SAN -> csr = Csrs.csr(key, algorithm(key), List.of(uri(ID), new GeneralName(GeneralName.dNSName, name(own) + ".example.com")));
                            case BIT_FLIP -> {
                                byte[] der = Csrs.der(csr);
                                der[own.nextInt(der.length)] ^= (byte) (1 << own.nextInt(8));
                                csr = Csrs.pem(der);
                            }
                            case TRUNCATED -> {
                                byte[] der = Csrs.der(csr);
                                csr = Csrs.pem(java.util.Arrays.copyOf(der, own.nextInt(der.length)));
                            }
                            case RANDOM_BYTES -> {
                                byte[] der = new byte[own.nextInt(2048)];
                                own.nextBytes(der);
                                csr = own.nextBoolean() ? Csrs.pem(der) : new String(der, java.nio.charset.StandardCharsets.ISO_8859_1);
                            }
                            case SPLICED -> csr = Csrs.splice(csr, Csrs.spiffe(keys.get((keys.indexOf(key) + 1) % keys.size()), ID));
                            case WEAK_KEY -> csr = Csrs.spiffe(weak, ID);
                            case UNSUPPORTED_CURVE -> csr = Csrs.csr(p521, "SHA512withECDSA", List.of(uri(ID)));
                            case SHA1 -> csr = Csrs.csr(key, key.getPublic().getAlgorithm().equals("RSA") ? "SHA1withRSA" : "SHA1withECDSA", List.of(uri(ID)));
                            case TTL_TOO_LONG -> ttl = Duration.ofDays(90).toSeconds() + 1 + own.nextInt(Integer.MAX_VALUE);
                            case NEGATIVE_TTL -> ttl = -1 - own.nextInt(Integer.MAX_VALUE);
                            case OVERSIZED -> csr = csr + "A".repeat(CaGrpcServer.MAX_MESSAGE_BYTES + own.nextInt(10_000));
                            case CERTIFICATE_AS_CSR -> csr = root;
                            default -> throw new IllegalStateException(attack.name());
                        }
                        try {
                            List<String> chain = client.create(auth, csr, ttl);
                            problems.add(attack + ": got a certificate chain of " + chain.size());
                        } catch (StatusRuntimeException e) {
                            String description = e.getStatus().getDescription();
                            if (!DELIBERATE.contains(e.getStatus().getCode()) || description == null || description.isBlank()) {
                                problems.add(attack + ": " + e.getStatus());
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : running) {
                future.get();
            }
        } finally {
            pool.shutdownNow();
            for (CaClient client : clients) {
                client.close();
            }
        }

        assertThat(problems).as("seed " + seed).isEmpty();
        assertThat(seen.keySet()).as("every kind of attack was tried").containsExactlyInAnyOrder(Attack.values());
        assertThat(seen.values().stream().mapToInt(AtomicInteger::get).sum()).isGreaterThanOrEqualTo(1_000);
        assertThat(ca.signer().issuedCount()).as("certificates issued to hostile requests").isZero();

        try (CaClient client = CaClient.connect(ca.grpcPort(), ca.keyMaterial().get().root(), CaServerEndToEndTest.AUTHORITY)) {
            assertThat(client.create(token, Csrs.spiffe(Csrs.ecP256(), ID), 0)).hasSize(2);
        }
        assertThat(ca.signer().issuedCount()).isEqualTo(1);
    }

    private static GeneralName uri(String value) {
        return new GeneralName(GeneralName.uniformResourceIdentifier, value);
    }

    private static String algorithm(KeyPair key) {
        return key.getPublic().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
    }

    private static String name(Random random) {
        String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder out = new StringBuilder("x");
        for (int i = random.nextInt(12); i >= 0; i--) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    private static String randomToken(Random random) {
        byte[] bytes = new byte[16 + random.nextInt(600)];
        random.nextBytes(bytes);
        return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
