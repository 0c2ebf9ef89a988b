package dev.mesh.injector.kube;

/** Makes the API server trust the webhook's serving certificate: writes the CA into the webhook configuration. */
@FunctionalInterface
public interface CaBundlePublisher {

    /** Writes the PEM CA certificate as the caBundle; failures are logged by the implementation, never thrown. */
    void publish(String caPem);
}
