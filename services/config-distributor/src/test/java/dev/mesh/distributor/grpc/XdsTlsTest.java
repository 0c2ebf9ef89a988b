package dev.mesh.distributor.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mesh.distributor.model.MeshSnapshot;
import dev.mesh.distributor.translate.ClusterTranslator;
import dev.mesh.distributor.translate.MeshTls;
import dev.mesh.distributor.translate.ProxyTranslator;
import dev.mesh.distributor.xds.MeshConfigWatcher;
import dev.mesh.distributor.xds.ResourceInterner;
import dev.mesh.distributor.xds.TypeUrl;
import io.envoyproxy.envoy.config.core.v3.Node;
import io.envoyproxy.envoy.service.discovery.v3.AggregatedDiscoveryServiceGrpc;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryRequest;
import io.envoyproxy.envoy.service.discovery.v3.DiscoveryResponse;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.TlsChannelCredentials;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ADS over mutual TLS with real certificates on loopback: a proxy with a mesh certificate gets its
 * config; no certificate, a certificate from another root, or from another trust domain is turned
 * away; a renewed serving certificate is picked up without a restart.
 */
class XdsTlsTest {

    private static final String NODE = "sidecar~10.244.0.5~client.demo~demo.svc.cluster.local";

    @TempDir
    Path dir;

    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final java.util.concurrent.ExecutorService workers = Executors.newFixedThreadPool(2);
    private Ca root;
    private XdsTls tls;
    private Server server;

    @BeforeEach
    void start() throws Exception {
        root = new Ca("mesh root");
        writeServing(root, "config-distributor");
        Files.writeString(dir.resolve("ca.crt"), pem(root.cert));
        tls = XdsTls.fromFiles(dir.resolve("tls.crt"), dir.resolve("tls.key"), dir.resolve("ca.crt"), "cluster.local",
                Duration.ofMillis(200), scheduler);
        MeshTls meshTls = new MeshTls("cluster.local", true);
        MeshConfigWatcher watcher = new MeshConfigWatcher(new ProxyTranslator(new ClusterTranslator(meshTls), meshTls,
                new ResourceInterner()), workers, "cluster.local", "istio-system");
        watcher.accept(new MeshSnapshot(1, java.util.Map.of(), java.util.Map.of(), java.util.Map.of(),
                java.util.Map.of(), java.util.Map.of()));
        server = Grpc.newServerBuilderForPort(0, tls.credentials())
                .addService(new AdsService(watcher, workers, new AdsRegistry(), new SimpleMeterRegistry(), 10,
                        Clock.systemUTC()))
                .build().start();
    }

    @AfterEach
    void stop() throws Exception {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        tls.close();
        scheduler.shutdownNow();
        workers.shutdownNow();
    }

    @Test
    void proxyWithAMeshCertificate_getsItsClusters() throws Exception {
        Leaf client = root.issue("spiffe://cluster.local/ns/demo/sa/default");
        Object first = fetchClusters(credentials(client)).poll(5, TimeUnit.SECONDS);
        assertThat(first).as("CDS over mTLS").isInstanceOf(DiscoveryResponse.class);
        DiscoveryResponse response = (DiscoveryResponse) first;
        assertThat(response.getTypeUrl()).isEqualTo(TypeUrl.CLUSTER);
        assertThat(response.getResourcesCount()).isGreaterThan(0);
    }

    @Test
    void noClientCertificate_isRefused() throws Exception {
        ChannelCredentials noCert = TlsChannelCredentials.newBuilder()
                .trustManager(dir.resolve("ca.crt").toFile()).build();
        assertRefused(noCert);
    }

    @Test
    void certificateFromAnotherRoot_isRefused() throws Exception {
        Leaf stranger = new Ca("other root").issue("spiffe://cluster.local/ns/demo/sa/default");
        assertRefused(credentials(stranger));
    }

    @Test
    void certificateOfAnotherTrustDomain_isRefused() throws Exception {
        Leaf foreign = root.issue("spiffe://other.domain/ns/demo/sa/default");
        assertRefused(credentials(foreign));
    }

    @Test
    void renewedServingCertificate_isServedWithoutARestart() throws Exception {
        Leaf client = root.issue("spiffe://cluster.local/ns/demo/sa/default");
        assertThat(servingSubject(client)).contains("CN=config-distributor");
        writeServing(root, "config-distributor-renewed");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        String subject = "";
        while (!subject.contains("renewed") && System.nanoTime() < deadline) {
            Thread.sleep(100);
            try {
                subject = servingSubject(client);
            } catch (javax.net.ssl.SSLException e) {
                // a reload that saw the new key before the new certificate: the next one pairs them
            }
        }
        assertThat(subject).contains("CN=config-distributor-renewed");
    }

    // ---- helpers ----

    private void assertRefused(ChannelCredentials credentials) throws Exception {
        BlockingQueue<Object> events = fetchClusters(credentials);
        Object first = events.poll(5, TimeUnit.SECONDS);
        assertThat(first).as("the call fails instead of getting config").isInstanceOf(Throwable.class);
    }

    /** Opens an ADS stream asking for clusters; the queue gets responses, or the stream's error. */
    private BlockingQueue<Object> fetchClusters(ChannelCredentials credentials) {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        ManagedChannel channel = Grpc.newChannelBuilderForAddress("localhost", server.getPort(), credentials).build();
        StreamObserver<DiscoveryRequest> requests = AggregatedDiscoveryServiceGrpc.newStub(channel)
                .streamAggregatedResources(new StreamObserver<>() {
                    @Override
                    public void onNext(DiscoveryResponse value) {
                        events.add(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                        events.add(t);
                        channel.shutdownNow();
                    }

                    @Override
                    public void onCompleted() {
                        channel.shutdownNow();
                    }
                });
        requests.onNext(DiscoveryRequest.newBuilder().setNode(Node.newBuilder().setId(NODE))
                .setTypeUrl(TypeUrl.CLUSTER).build());
        return events;
    }

    private ChannelCredentials credentials(Leaf leaf) throws Exception {
        Path cert = Files.writeString(dir.resolve("client-" + leaf.cert.getSerialNumber() + ".crt"), pem(leaf.cert));
        Path key = Files.writeString(dir.resolve("client-" + leaf.cert.getSerialNumber() + ".key"),
                pem(leaf.keys.getPrivate()));
        return TlsChannelCredentials.newBuilder().keyManager(cert.toFile(), key.toFile())
                .trustManager(dir.resolve("ca.crt").toFile()).build();
    }

    /** The subject of the certificate the server presents to a new connection. */
    private String servingSubject(Leaf client) throws Exception {
        KeyStore keyStore = KeyStore.getInstance("PKCS12");
        keyStore.load(null, null);
        keyStore.setKeyEntry("client", client.keys.getPrivate(), new char[0], new X509Certificate[] {client.cert});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keyStore, new char[0]);
        X509Certificate[] seen = new X509Certificate[1];
        TrustManager recording = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
                seen[0] = chain[0];
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf.getKeyManagers(), new TrustManager[] {recording}, null);
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", server.getPort())) {
            socket.setEnabledProtocols(new String[] {"TLSv1.2"}); // server's choice is seen in the handshake
            socket.setSoTimeout(5000);
            socket.startHandshake();
        }
        return seen[0].getSubjectX500Principal().getName();
    }

    private void writeServing(Ca ca, String name) throws Exception {
        Leaf serving = ca.issue("spiffe://cluster.local/ns/istio-system/sa/config-distributor", name, "localhost");
        // each file replaced atomically, as a Secret volume update does
        Path key = dir.resolve("tls.key.tmp");
        Path cert = dir.resolve("tls.crt.tmp");
        Files.writeString(key, pem(serving.keys.getPrivate()));
        Files.writeString(cert, pem(serving.cert));
        Files.move(key, dir.resolve("tls.key"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        Files.move(cert, dir.resolve("tls.crt"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private static String pem(Object o) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(o instanceof java.security.PrivateKey k
                    ? new org.bouncycastle.openssl.jcajce.JcaPKCS8Generator(k, null) : o);
        }
        return out.toString();
    }

    private record Leaf(KeyPair keys, X509Certificate cert) {
    }

    /** A self-signed root that issues leaf certificates with a URI SAN (and DNS SANs). */
    private static final class Ca {
        private static long serial = 1;
        final KeyPair keys;
        final X509Certificate cert;

        Ca(String name) throws Exception {
            keys = ecKeys();
            X500Name subject = new X500Name("CN=" + name);
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(subject, next(), notBefore(),
                    notAfter(), subject, keys.getPublic());
            builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            cert = sign(builder, keys);
        }

        Leaf issue(String uri) throws Exception {
            return issue(uri, "workload", null);
        }

        /** A leaf with subject {@code CN=<cn>}, URI SAN {@code uri} and, unless null, DNS SAN {@code dns}. */
        Leaf issue(String uri, String cn, String dns) throws Exception {
            KeyPair leafKeys = ecKeys();
            JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(cert, next(), notBefore(),
                    notAfter(), new X500Name("CN=" + cn), leafKeys.getPublic());
            GeneralName uriName = new GeneralName(GeneralName.uniformResourceIdentifier, uri);
            GeneralName[] names = dns == null ? new GeneralName[] {uriName}
                    : new GeneralName[] {uriName, new GeneralName(GeneralName.dNSName, dns)};
            builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            return new Leaf(leafKeys, sign(builder, keys));
        }

        private static synchronized BigInteger next() {
            return BigInteger.valueOf(serial++ + System.nanoTime());
        }

        private static Date notBefore() {
            return Date.from(Instant.now().minusSeconds(60));
        }

        private static Date notAfter() {
            return Date.from(Instant.now().plusSeconds(3600));
        }

        private static KeyPair ecKeys() throws Exception {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            return generator.generateKeyPair();
        }

        private static X509Certificate sign(JcaX509v3CertificateBuilder builder, KeyPair signer) throws Exception {
            return new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate())));
        }
    }
}
