package dev.mesh.ca.kube;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.pki.KeyMaterialCodec;
import dev.mesh.ca.pki.SelfSignedRoot;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Where the CA's key material lives: the plugged-in Secret {@code cacerts} if present, else the
 * self-signed root in {@code istio-ca-secret}, which the first replica creates. Replicas race by
 * creating the Secret; the API server accepts one create, and the others read the winner's root.
 */
public final class CaSecretStore {

    public static final String PLUGGED_IN = "cacerts";
    public static final String SELF_SIGNED = "istio-ca-secret";
    /** The Secret type Istio gives istio-ca-secret. */
    static final String SECRET_TYPE = "istio.io/ca-root";

    private static final Logger LOG = Logger.getLogger(CaSecretStore.class);

    private final KubernetesClient client;
    private final String namespace;
    private final String trustDomain;
    private final Duration rootTtl;
    private final SelfSignedRoot rootFactory;

    public CaSecretStore(KubernetesClient client, String namespace, String trustDomain, Duration rootTtl, SelfSignedRoot rootFactory) {
        this.client = client;
        this.namespace = namespace;
        this.trustDomain = trustDomain;
        this.rootTtl = rootTtl;
        this.rootFactory = rootFactory;
    }

    /**
     * The material to use now. {@code current} is what this instance uses already: if
     * {@code istio-ca-secret} has been deleted it is written back rather than replaced by a new
     * root, so that deleting the Secret does not silently re-key the mesh.
     *
     * @throws IllegalArgumentException if a Secret exists but its content is unusable (names Secret and key)
     * @throws KubernetesClientException if the API server cannot be reached
     */
    public CaKeyMaterial load(Optional<CaKeyMaterial> current) {
        Optional<Secret> plugged = get(PLUGGED_IN);
        if (plugged.isPresent()) {
            return KeyMaterialCodec.decode(PLUGGED_IN, plugged.get().getData());
        }
        Optional<Secret> selfSigned = get(SELF_SIGNED);
        if (selfSigned.isPresent()) {
            return KeyMaterialCodec.decode(SELF_SIGNED, selfSigned.get().getData());
        }
        CaKeyMaterial candidate = current.filter(m -> SELF_SIGNED.equals(m.source()))
                .orElseGet(() -> rootFactory.create(trustDomain, rootTtl));
        Secret secret = new SecretBuilder()
                .withNewMetadata().withName(SELF_SIGNED).withNamespace(namespace).endMetadata()
                .withType(SECRET_TYPE)
                .withData(KeyMaterialCodec.encode(candidate))
                .build();
        try {
            client.secrets().inNamespace(namespace).resource(secret).create();
            LOG.infof("created Secret %s/%s with root %s", namespace, SELF_SIGNED, candidate.root().getSubjectX500Principal());
            return candidate;
        } catch (KubernetesClientException e) {
            if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
                throw e;
            }
            LOG.infof("Secret %s/%s was created by another replica; using its root", namespace, SELF_SIGNED);
            Secret winner = get(SELF_SIGNED).orElseThrow(() -> new KubernetesClientException(
                    "Secret " + namespace + "/" + SELF_SIGNED + " was created concurrently and then deleted; retry"));
            return KeyMaterialCodec.decode(SELF_SIGNED, winner.getData());
        }
    }

    private Optional<Secret> get(String name) {
        return Optional.ofNullable(client.secrets().inNamespace(namespace).withName(name).get());
    }
}
