package dev.mesh.proxy.model;

import java.util.List;

/**
 * A filter chain's server TLS ({@code DownstreamTlsContext}): its certificates and the ALPN protocols offered
 * ({@code h2}, {@code http/1.1}). Each certificate is inline PEM, a pair of files, or an SDS name that the
 * proxy resolves itself to files (config-distributor serves no secrets; see the README).
 */
public record DownstreamTls(List<Certificate> certificates, List<String> alpn, boolean requireClientCertificate) {

    /** Exactly one of: inline PEM ({@code chain}, {@code key}), files ({@code chainFile}, {@code keyFile}), {@code sdsName}. */
    public record Certificate(String chain, String key, String chainFile, String keyFile, String sdsName) {

        public String describe() {
            return sdsName != null ? "SDS secret " + sdsName : chainFile != null ? "file " + chainFile : "inline certificate";
        }
    }
}
