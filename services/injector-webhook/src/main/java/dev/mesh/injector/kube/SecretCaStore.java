package dev.mesh.injector.kube;

import dev.mesh.injector.tls.CaMaterial;
import dev.mesh.injector.tls.CaStore;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The webhook CA in a Secret of the mesh namespace, created optimistically: when several replicas start together,
 * one create wins and the others read the winner's CA. If the API server cannot be reached, the replica uses its
 * own CA (logged): it still serves, and whoever trusts it (the caBundle it writes once the API is back) works.
 */
public final class SecretCaStore implements CaStore {

    private static final Logger LOG = Logger.getLogger(SecretCaStore.class);
    static final String CERT_KEY = "ca-cert.pem";
    static final String KEY_KEY = "ca-key.pem";

    private final KubernetesClient client;
    private final String namespace;
    private final String name;

    public SecretCaStore(KubernetesClient client, String namespace, String name) {
        this.client = client;
        this.namespace = namespace;
        this.name = name;
    }

    @Override
    public CaMaterial loadOrCreate(Supplier<CaMaterial> fresh) {
        try {
            CaMaterial existing = read();
            if (existing != null) {
                LOG.infof("webhook CA loaded from Secret %s/%s", namespace, name);
                return existing;
            }
            CaMaterial created = fresh.get();
            try {
                client.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata()
                        .withName(name).withNamespace(namespace)
                        .addToLabels("app.kubernetes.io/managed-by", "injector-webhook").endMetadata()
                        .withType("Opaque")
                        .withData(Map.of(CERT_KEY, b64(created.certificatePem()), KEY_KEY, b64(created.privateKeyPem())))
                        .build()).create();
                LOG.infof("webhook CA created in Secret %s/%s", namespace, name);
                return created;
            } catch (KubernetesClientException e) {
                if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                    throw e;
                }
                // Another replica created it first: use theirs.
                CaMaterial winner = read();
                if (winner == null) {
                    throw e;
                }
                LOG.infof("webhook CA created by another replica; loaded from Secret %s/%s", namespace, name);
                return winner;
            }
        } catch (KubernetesClientException | IllegalArgumentException e) {
            LOG.errorf("cannot keep the webhook CA in Secret %s/%s (%s): this replica uses its own CA", namespace,
                    name, e.getMessage());
            return fresh.get();
        }
    }

    private CaMaterial read() {
        Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
        if (secret == null || secret.getData() == null) {
            return null;
        }
        String cert = secret.getData().get(CERT_KEY);
        String key = secret.getData().get(KEY_KEY);
        if (cert == null || key == null) {
            throw new IllegalArgumentException("Secret " + namespace + "/" + name + " lacks " + CERT_KEY + " or "
                    + KEY_KEY);
        }
        return new CaMaterial(unb64(cert), unb64(key));
    }

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static String unb64(String text) {
        return new String(Base64.getDecoder().decode(text), StandardCharsets.US_ASCII);
    }
}
