package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.List;

/**
 * How a proxy originates TLS to an upstream.
 *
 * @param mode               DISABLE when absent
 * @param insecureSkipVerify null when absent
 */
public record ClientTLSSettings(TLSmode mode, String clientCertificate, String privateKey, String caCertificates,
        String credentialName, List<String> subjectAltNames, String sni, Boolean insecureSkipVerify, String caCrl) {

    /** DISABLE: plain text; ISTIO_MUTUAL: mTLS with the mesh's certificates. */
    public enum TLSmode { DISABLE, SIMPLE, MUTUAL, ISTIO_MUTUAL }

    public ClientTLSSettings {
        mode = mode == null ? TLSmode.DISABLE : mode;
        clientCertificate = Fields.str(clientCertificate);
        privateKey = Fields.str(privateKey);
        caCertificates = Fields.str(caCertificates);
        credentialName = Fields.str(credentialName);
        subjectAltNames = Fields.list(subjectAltNames);
        sni = Fields.str(sni);
        caCrl = Fields.str(caCrl);
    }

    public static ClientTLSSettings parse(Node node) {
        ClientTLSSettings tls = new ClientTLSSettings(
                Fields.enumValue(node, "mode", TLSmode.class, TLSmode.DISABLE),
                Fields.string(node, "clientCertificate"),
                Fields.string(node, "privateKey"),
                Fields.string(node, "caCertificates"),
                Fields.string(node, "credentialName"),
                node.strings("subjectAltNames"),
                Fields.string(node, "sni"),
                node.bool("insecureSkipVerify"),
                Fields.string(node, "caCrl"));
        tls.check(node);
        return tls;
    }

    private void check(Node node) {
        if (Boolean.TRUE.equals(insecureSkipVerify)) {
            if (mode == TLSmode.SIMPLE && (!caCertificates.isEmpty() || !credentialName.isEmpty()
                    || node.has("subjectAltNames"))) {
                node.error("insecureSkipVerify", "cannot specify caCertificates, credentialName or subjectAltNames"
                        + " when insecureSkipVerify is true");
            }
            if (mode == TLSmode.MUTUAL && (!caCertificates.isEmpty() || node.has("subjectAltNames"))) {
                node.error("insecureSkipVerify", "cannot specify caCertificates or subjectAltNames when"
                        + " insecureSkipVerify is true");
            }
        }
        if ((mode == TLSmode.SIMPLE || mode == TLSmode.MUTUAL) && !credentialName.isEmpty()) {
            if (!(clientCertificate + caCertificates + privateKey + caCrl).isEmpty()) {
                node.error("credentialName", "cannot specify clientCertificate, caCertificates, privateKey or"
                        + " caCrl when credentialName is set");
            }
            return;
        }
        if (mode == TLSmode.MUTUAL) {
            if (clientCertificate.isEmpty()) {
                node.error("clientCertificate", "client certificate required for mutual tls (or a credentialName)");
            }
            if (privateKey.isEmpty()) {
                node.error("privateKey", "private key required for mutual tls (or a credentialName)");
            }
        }
    }
}
