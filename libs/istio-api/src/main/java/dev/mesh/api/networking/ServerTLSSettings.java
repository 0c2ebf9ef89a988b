package dev.mesh.api.networking;

import dev.mesh.api.Node;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * How a gateway server (or a sidecar ingress listener) terminates TLS.
 *
 * @param mode            PASSTHROUGH when absent (proto3's zero value)
 * @param credentialName  the Secret holding key and certificates, "" when absent
 * @param tlsCertificates several certificate/key pairs (e.g. RSA and ECDSA), empty when absent
 */
public record ServerTLSSettings(boolean httpsRedirect, TLSmode mode, String serverCertificate, String privateKey,
        String caCertificates, String caCrl, String credentialName, List<String> credentialNames,
        List<TLSCertificate> tlsCertificates, List<String> subjectAltNames, List<String> verifyCertificateSpki,
        List<String> verifyCertificateHash, TLSProtocol minProtocolVersion, TLSProtocol maxProtocolVersion,
        List<String> cipherSuites) {

    public enum TLSmode { PASSTHROUGH, SIMPLE, MUTUAL, AUTO_PASSTHROUGH, ISTIO_MUTUAL, OPTIONAL_MUTUAL }

    public enum TLSProtocol { TLS_AUTO, TLSV1_0, TLSV1_1, TLSV1_2, TLSV1_3 }

    /** One certificate and key, as files on the proxy. */
    public record TLSCertificate(String serverCertificate, String privateKey, String caCertificates) {

        public TLSCertificate {
            serverCertificate = Fields.str(serverCertificate);
            privateKey = Fields.str(privateKey);
            caCertificates = Fields.str(caCertificates);
        }

        public static TLSCertificate parse(Node node) {
            return new TLSCertificate(Fields.string(node, "serverCertificate"), Fields.string(node, "privateKey"),
                    Fields.string(node, "caCertificates"));
        }
    }

    /** Cipher suites Envoy accepts by name (BoringSSL's). */
    private static final Set<String> CIPHER_SUITES = Set.of("ECDHE-ECDSA-AES128-GCM-SHA256",
            "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
            "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-PSK-CHACHA20-POLY1305",
            "ECDHE-ECDSA-AES128-SHA", "ECDHE-RSA-AES128-SHA", "ECDHE-PSK-AES128-CBC-SHA", "AES128-GCM-SHA256",
            "AES128-SHA", "ECDHE-ECDSA-AES256-SHA", "ECDHE-RSA-AES256-SHA", "ECDHE-PSK-AES256-CBC-SHA",
            "AES256-GCM-SHA384", "AES256-SHA", "PSK-AES128-CBC-SHA", "PSK-AES256-CBC-SHA", "DES-CBC3-SHA");

    public ServerTLSSettings {
        mode = mode == null ? TLSmode.PASSTHROUGH : mode;
        serverCertificate = Fields.str(serverCertificate);
        privateKey = Fields.str(privateKey);
        caCertificates = Fields.str(caCertificates);
        caCrl = Fields.str(caCrl);
        credentialName = Fields.str(credentialName);
        credentialNames = Fields.list(credentialNames);
        tlsCertificates = Fields.list(tlsCertificates);
        subjectAltNames = Fields.list(subjectAltNames);
        verifyCertificateSpki = Fields.list(verifyCertificateSpki);
        verifyCertificateHash = Fields.list(verifyCertificateHash);
        minProtocolVersion = minProtocolVersion == null ? TLSProtocol.TLS_AUTO : minProtocolVersion;
        maxProtocolVersion = maxProtocolVersion == null ? TLSProtocol.TLS_AUTO : maxProtocolVersion;
        cipherSuites = Fields.list(cipherSuites);
    }

    /** Whether the keys come from Secrets (fetched over SDS) rather than files. */
    public boolean usesCredentials() {
        return !credentialName.isEmpty() || !credentialNames.isEmpty();
    }

    public static ServerTLSSettings parse(Node node) {
        ServerTLSSettings tls = new ServerTLSSettings(
                Fields.bool(node, "httpsRedirect"),
                Fields.enumValue(node, "mode", TLSmode.class, TLSmode.PASSTHROUGH),
                Fields.string(node, "serverCertificate"),
                Fields.string(node, "privateKey"),
                Fields.string(node, "caCertificates"),
                Fields.string(node, "caCrl"),
                Fields.string(node, "credentialName"),
                node.strings("credentialNames"),
                node.list("tlsCertificates", TLSCertificate::parse),
                node.strings("subjectAltNames"),
                node.strings("verifyCertificateSpki"),
                node.strings("verifyCertificateHash"),
                Fields.enumValue(node, "minProtocolVersion", TLSProtocol.class, TLSProtocol.TLS_AUTO),
                Fields.enumValue(node, "maxProtocolVersion", TLSProtocol.class, TLSProtocol.TLS_AUTO),
                node.strings("cipherSuites"));
        tls.check(node);
        return tls;
    }

    private void check(Node node) {
        if ((minProtocolVersion == TLSProtocol.TLSV1_0 || minProtocolVersion == TLSProtocol.TLSV1_1)
                && cipherSuites.isEmpty()) {
            node.warning("minProtocolVersion", "TLS versions below TLSV1_2 need compatible cipherSuites: the"
                    + " default ones no longer include any");
        }
        Set<String> invalid = new TreeSet<>();
        Set<String> duplicate = new TreeSet<>();
        Set<String> valid = new HashSet<>();
        for (String suite : cipherSuites) {
            if (!CIPHER_SUITES.contains(suite)) {
                invalid.add(suite);
            } else if (!valid.add(suite)) {
                duplicate.add(suite);
            }
        }
        if (!invalid.isEmpty()) {
            node.warning("cipherSuites", "ignoring invalid cipher suites: " + invalid);
        }
        if (!duplicate.isEmpty()) {
            node.warning("cipherSuites", "ignoring duplicate cipher suites: " + duplicate);
        }
        if (mode == TLSmode.ISTIO_MUTUAL) {
            forbidden(node, "serverCertificate", serverCertificate, "ISTIO_MUTUAL TLS cannot have an associated server"
                    + " certificate");
            forbidden(node, "privateKey", privateKey, "ISTIO_MUTUAL TLS cannot have an associated private key");
            forbidden(node, "caCertificates", caCertificates, "ISTIO_MUTUAL TLS cannot have an associated CA bundle");
            forbidden(node, "credentialName", credentialName, "ISTIO_MUTUAL TLS cannot have an associated"
                    + " credentialName");
            return;
        }
        if ((mode == TLSmode.PASSTHROUGH || mode == TLSmode.AUTO_PASSTHROUGH) && !(caCrl + serverCertificate
                + privateKey + caCertificates + credentialName).isEmpty()) {
            node.warning("mode", mode + " mode does not use certificates, they will be ignored");
        }
        boolean terminates = mode == TLSmode.SIMPLE || mode == TLSmode.MUTUAL || mode == TLSmode.OPTIONAL_MUTUAL;
        if (terminates && (usesCredentials() || !tlsCertificates.isEmpty())) {
            // Credentials are fetched from Secrets (or listed pairs): no file paths needed.
            if (!caCrl.isEmpty() && usesCredentials()) {
                node.error("caCrl", "CRL is not supported with credentialName: it has to be in the credential");
            }
            return;
        }
        if (terminates) {
            required(node, "serverCertificate", serverCertificate, mode + " TLS requires a server certificate (or a"
                    + " credentialName)");
            required(node, "privateKey", privateKey, mode + " TLS requires a private key (or a credentialName)");
        }
        if (mode == TLSmode.MUTUAL || mode == TLSmode.OPTIONAL_MUTUAL) {
            required(node, "caCertificates", caCertificates, mode + " TLS requires a client CA bundle (or a"
                    + " credentialName)");
        }
        if (!caCrl.isEmpty() && mode == TLSmode.SIMPLE) {
            node.error("caCrl", "CRL is not supported with SIMPLE TLS");
        }
    }

    private static void forbidden(Node node, String field, String value, String message) {
        if (!value.isEmpty()) {
            node.error(field, message);
        }
    }

    private static void required(Node node, String field, String value, String message) {
        if (value.isEmpty()) {
            node.error(field, message);
        }
    }
}
