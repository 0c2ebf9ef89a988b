package dev.mesh.injector.tls;

/** The webhook CA's certificate and PKCS#8 private key, PEM. */
public record CaMaterial(String certificatePem, String privateKeyPem) {
}
