package dev.mesh.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.Test;

/**
 * Two citadel-ca processes started together against one API server agree on one root: one
 * {@code istio-ca-secret}, one published {@code istio-ca-root-cert}, and both sign with it (their
 * gRPC serving certificates, which each signs for itself at start, verify against that root).
 */
class CitadelReplicasTest {

    @Test
    void twoCaProcessesStartedTogether_endWithOneRoot() throws Exception {
        Path logs = ServiceProcess.root().resolve("e2e/target/service-logs/citadel-replicas");
        List<ServiceProcess> started = new ArrayList<>();
        List<Integer> grpcPorts = new ArrayList<>();
        try (MockApiServer api = new MockApiServer(logs)) {
            List<Integer> httpPorts = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                int http = ServiceProcess.freePort();
                int grpc = ServiceProcess.freePort();
                httpPorts.add(http);
                grpcPorts.add(grpc);
                started.add(ServiceProcess.start("citadel-ca-" + i, ServiceProcess.jarOf("services/citadel-ca"),
                        Map.of("KUBECONFIG", api.kubeconfig().toString(), "MESH_CA_HTTP_PORT", Integer.toString(http),
                                "MESH_CA_GRPC_PORT", Integer.toString(grpc)), logs));
            }
            for (int i = 0; i < 2; i++) {
                started.get(i).awaitOk("http://127.0.0.1:" + httpPorts.get(i) + "/q/health/ready", Duration.ofSeconds(90));
            }
            List<Secret> secrets = api.client().secrets().inNamespace("istio-system").list().getItems().stream()
                    .filter(s -> s.getMetadata().getName().equals("istio-ca-secret")).toList();
            assertThat(secrets).hasSize(1);
            X509Certificate root = certificate(new String(Base64.getDecoder().decode(
                    secrets.get(0).getData().get("ca-cert.pem")), StandardCharsets.UTF_8));
            ConfigMap published = api.client().configMaps().inNamespace("default").withName("istio-ca-root-cert").get();
            assertThat(published).as("istio-ca-root-cert in namespace default").isNotNull();
            assertThat(certificate(published.getData().get("root-cert.pem"))).isEqualTo(root);
            for (int port : grpcPorts) {
                X509Certificate served = servingCertificate(port);
                served.verify(root.getPublicKey()); // throws unless the root signed it
                assertThat(served.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
            }
        } finally {
            for (ServiceProcess process : started) {
                process.close();
            }
        }
    }

    private static X509Certificate certificate(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    /** The leaf certificate a TLS server on loopback presents (trusting anything: it is checked after). */
    private static X509Certificate servingCertificate(int port) throws Exception {
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.setSSLParameters(withAlpn(socket));
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static javax.net.ssl.SSLParameters withAlpn(SSLSocket socket) {
        javax.net.ssl.SSLParameters parameters = socket.getSSLParameters();
        parameters.setApplicationProtocols(new String[] {"h2"});
        return parameters;
    }
}
