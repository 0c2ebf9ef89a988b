package dev.mesh.ca.kube;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.pki.Certificates;
import dev.mesh.ca.pki.Pem;
import dev.mesh.ca.pki.X509CertificateSigner;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x509.GeneralName;
import org.jboss.logging.Logger;

/**
 * Keeps a {@code kubernetes.io/tls} Secret with a serving certificate for a control-plane Service's DNS names,
 * signed by the mesh CA: config-distributor mounts it for its mutual-TLS xDS port (15012), as istiod serves that
 * port with a certificate its own CA signed. Keys {@code tls.crt} (leaf and chain), {@code tls.key} (PKCS#8) and
 * {@code ca.crt} (the mesh root). Re-issued past half its life, when it was signed under another root, or when its
 * names differ; several replicas may call this together: the API server's optimistic concurrency lets one write
 * win and the others read it back the next time.
 */
public final class ServingSecretIssuer {

    private static final Logger LOG = Logger.getLogger(ServingSecretIssuer.class);
    static final Duration TTL = Duration.ofDays(30);

    private final KubernetesClient client;
    private final String namespace;
    private final String name;
    private final List<String> dnsNames;
    private final Clock clock;

    public ServingSecretIssuer(KubernetesClient client, String namespace, String name, List<String> dnsNames,
            Clock clock) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
        this.dnsNames = List.copyOf(dnsNames);
        this.clock = clock;
    }

    /** Writes the Secret when it is missing or due; returns true when it wrote one. Never throws for the API. */
    public boolean ensure(CaKeyMaterial ca) {
        try {
            Secret existing = client.secrets().inNamespace(namespace).withName(name).get();
            String why = existing == null ? "missing" : dueReason(existing, ca);
            if (why == null) {
                return false;
            }
            Secret wanted = issue(ca);
            if (existing == null) {
                client.secrets().inNamespace(namespace).resource(wanted).create();
            } else {
                wanted.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
                client.secrets().inNamespace(namespace).resource(wanted).update();
            }
            LOG.infof("serving certificate for %s written to Secret %s/%s (%s)", dnsNames, namespace, name, why);
            return true;
        } catch (KubernetesClientException e) {
            // 409: another replica wrote it first; anything else is retried at the next check.
            LOG.warnf("Secret %s/%s not written (%s); checked again later", namespace, name,
                    e.getCode() == 409 ? "another replica wrote it" : e.getMessage());
            return false;
        }
    }

    /** Why {@code secret} must be re-issued, or null when it is good. */
    String dueReason(Secret secret, CaKeyMaterial ca) {
        Map<String, String> data = secret.getData() == null ? Map.of() : secret.getData();
        if (!data.containsKey("tls.crt") || !data.containsKey("tls.key") || !data.containsKey("ca.crt")) {
            return "incomplete";
        }
        X509Certificate leaf;
        try {
            leaf = Pem.certificates(decode(data.get("tls.crt")), "Secret " + namespace + "/" + name + " tls.crt")
                    .get(0);
            leaf.verify(ca.signingCert().getPublicKey());
        } catch (RuntimeException | java.security.GeneralSecurityException e) {
            return "not signed by the current CA";
        }
        if (!decode(data.get("ca.crt")).strip().equals(Pem.encode(ca.root()).strip())) {
            return "root changed";
        }
        List<String> names = new ArrayList<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                leaf.getSubjectAlternativeNames().stream().filter(n -> (Integer) n.get(0) == GeneralName.dNSName)
                        .forEach(n -> names.add((String) n.get(1)));
            }
        } catch (java.security.cert.CertificateParsingException e) {
            return "unreadable names";
        }
        if (!names.equals(dnsNames)) {
            return "names changed";
        }
        long start = leaf.getNotBefore().getTime();
        long end = leaf.getNotAfter().getTime();
        return clock.millis() > start + (end - start) / 2 ? "past half its life" : null;
    }

    private Secret issue(CaKeyMaterial ca) {
        KeyPair keys = Certificates.ecKeyPair("secp256r1");
        Instant now = clock.instant();
        Instant notAfter = now.plus(TTL);
        if (notAfter.isAfter(ca.signingCert().getNotAfter().toInstant())) {
            notAfter = ca.signingCert().getNotAfter().toInstant();
        }
        X509Certificate leaf = Certificates.leafCertificate(keys.getPublic(),
                dnsNames.stream().map(n -> new GeneralName(GeneralName.dNSName, n)).toList(), ca.signingCert(),
                ca.signingKey(), now.minus(X509CertificateSigner.CLOCK_SKEW), notAfter);
        List<X509Certificate> chain = new ArrayList<>();
        chain.add(leaf);
        chain.addAll(ca.chain());
        Map<String, String> data = new LinkedHashMap<>();
        data.put("tls.crt", encode(Pem.encodeAll(chain)));
        data.put("tls.key", encode(Pem.encode(keys.getPrivate())));
        data.put("ca.crt", encode(Pem.encode(ca.root())));
        return new SecretBuilder().withNewMetadata().withName(name).withNamespace(namespace)
                .addToLabels("app.kubernetes.io/managed-by", "citadel-ca").endMetadata()
                .withType("kubernetes.io/tls").withData(data).build();
    }

    private static String encode(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
