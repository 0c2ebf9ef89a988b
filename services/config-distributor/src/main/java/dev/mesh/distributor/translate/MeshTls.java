package dev.mesh.distributor.translate;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mesh.api.networking.ClientTLSSettings;
import dev.mesh.api.security.PeerAuthentication.MutualTLS.Mode;
import dev.mesh.distributor.translate.MeshService.MeshPort;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.TransportSocket;
import io.envoyproxy.envoy.extensions.transport_sockets.raw_buffer.v3.RawBuffer;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/**
 * The mesh's TLS, as Istio builds it: the inbound mutual TLS context that PeerAuthentication asks
 * for, and the outbound one from DestinationRule {@code tls} or auto mutual TLS. Certificates are
 * never in the config: they are named by SDS resource names that the proxy resolves itself
 * ({@code default} for its own certificate and key, {@code ROOTCA} for the mesh's root,
 * {@code file-cert:<cert>~<key>} and {@code file-root:<ca>} for files it can read,
 * {@code kubernetes://<name>} and {@code kubernetes://<name>-cacert} for a credentialName).
 */
public final class MeshTls implements UpstreamTls {

    public static final String SDS_DEFAULT = "default";
    public static final String SDS_ROOT = "ROOTCA";
    public static final String TLS_SOCKET = "envoy.transport_sockets.tls";
    public static final String RAW_BUFFER_SOCKET = "envoy.transport_sockets.raw_buffer";
    /** The endpoint metadata key {@code transport_socket_matches} match on (Envoy's). */
    public static final String TRANSPORT_SOCKET_MATCH = "envoy.transport_socket_match";
    /** The pod label the injector sets on pods with a sidecar. */
    public static final String TLS_MODE_LABEL = "security.istio.io/tlsMode";

    /** Istio's ALPNInMeshWithMxc: the client says it is a mesh proxy (and offers metadata exchange). */
    static final List<String> ALPN_IN_MESH = List.of("istio-peer-exchange", "istio");
    /** Istio's ALPNInMeshH2WithMxc, for HTTP/2 clusters. */
    static final List<String> ALPN_IN_MESH_H2 = List.of("istio-peer-exchange", "istio", "h2");
    /** Istio's ALPNDownstreamWithMxc: what an inbound mutual TLS listener offers. */
    static final List<String> ALPN_DOWNSTREAM = List.of("istio-peer-exchange", "h2", "http/1.1");

    private final String trustDomain;
    private final boolean autoMtls;

    /**
     * @param trustDomain the mesh's SPIFFE trust domain ({@code cluster.local} by default)
     * @param autoMtls    whether clusters without a DestinationRule TLS setting send mutual TLS to
     *                    endpoints that have a sidecar (Istio's enableAutoMtls)
     */
    public MeshTls(String trustDomain, boolean autoMtls) {
        if (trustDomain == null || trustDomain.isBlank() || trustDomain.contains("/")) {
            throw new IllegalArgumentException("trust domain \"" + trustDomain
                    + "\" is not valid: it must be a non-empty name without '/'");
        }
        this.trustDomain = trustDomain;
        this.autoMtls = autoMtls;
    }

    public String trustDomain() {
        return trustDomain;
    }

    /** {@code spiffe://<trust domain>/<path>}. */
    public String spiffe(String path) {
        return "spiffe://" + trustDomain + "/" + path;
    }

    /** An SDS secret the proxy resolves itself; the config source is ADS, never a secret in the config. */
    static SdsSecretConfig sds(String name) {
        return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(Protos.ADS).build();
    }

    private static final TlsParameters TLS_PARAMS = TlsParameters.newBuilder()
            .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2)
            .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3).build();

    /**
     * The inbound mutual TLS context of a sidecar (STRICT and the TLS half of PERMISSIVE): the
     * workload's certificate, a client certificate required, chained to the mesh root and with a
     * SPIFFE URI SAN of this trust domain.
     */
    public TransportSocket inboundMtls() {
        DownstreamTlsContext context = DownstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .setTlsParams(TLS_PARAMS)
                        .addAllAlpnProtocols(ALPN_DOWNSTREAM)
                        .addTlsCertificateSdsSecretConfigs(sds(SDS_DEFAULT))
                        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext
                                .newBuilder()
                                .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                                        .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                                                .setSanType(SubjectAltNameMatcher.SanType.URI)
                                                .setMatcher(StringMatcher.newBuilder()
                                                        .setPrefix("spiffe://" + trustDomain + "/"))))
                                .setValidationContextSdsSecretConfig(sds(SDS_ROOT))))
                .setRequireClientCertificate(com.google.protobuf.BoolValue.of(true))
                .build();
        return socket(context);
    }

    private static TransportSocket socket(com.google.protobuf.Message context) {
        return TransportSocket.newBuilder().setName(TLS_SOCKET).setTypedConfig(Protos.any(context)).build();
    }

    /** Istio's SNI for mesh mutual TLS: {@code outbound_.<port>_.<subset>_.<host>} (the subset empty without one). */
    static String meshSni(int port, String subset, String host) {
        return "outbound_." + port + "_." + subset + "_." + host;
    }

    @Override
    public void apply(Cluster.Builder cluster, MeshIndex index, MeshService service, MeshPort port, String subset,
            ClientTLSSettings policy) {
        if (policy != null) {
            switch (policy.mode()) {
                case DISABLE -> {
                    // plain text, as written
                }
                case ISTIO_MUTUAL -> cluster.setTransportSocket(socket(istioMutual(cluster, index, service, port,
                        subset, policy.sni(), policy.subjectAltNames())));
                case SIMPLE, MUTUAL -> cluster.setTransportSocket(socket(userTls(cluster, policy)));
            }
            return;
        }
        if (!autoMtls || service.external() || service.resolution() == MeshService.Resolution.PASSTHROUGH) {
            return;
        }
        // Istio's best-effort guess of the destination's mode: its namespace's (or the mesh's) policy.
        if (index.mtlsMode(service.namespace(), java.util.Map.of(), 0) == Mode.DISABLE) {
            return;
        }
        cluster.addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-istio")
                .setMatch(Struct.newBuilder().putFields("tlsMode", Value.newBuilder().setStringValue("istio").build()))
                .setTransportSocket(socket(istioMutual(cluster, index, service, port, subset, "", List.of()))));
        cluster.addTransportSocketMatches(Cluster.TransportSocketMatch.newBuilder().setName("tlsMode-disabled")
                .setMatch(Struct.getDefaultInstance())
                .setTransportSocket(TransportSocket.newBuilder().setName(RAW_BUFFER_SOCKET)
                        .setTypedConfig(Protos.any(RawBuffer.getDefaultInstance()))));
    }

    private UpstreamTlsContext istioMutual(Cluster.Builder cluster, MeshIndex index, MeshService service,
            MeshPort port, String subset, String sni, List<String> subjectAltNames) {
        CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
        if (!subjectAltNames.isEmpty()) {
            subjectAltNames.forEach(san -> validation.addMatchTypedSubjectAltNames(sanMatcher(san)));
        } else if (!service.subjectAltNames().isEmpty()) {
            service.subjectAltNames().forEach(san -> validation.addMatchTypedSubjectAltNames(sanMatcher(san)));
        } else {
            for (String account : index.serviceAccounts(service)) {
                validation.addMatchTypedSubjectAltNames(uri(spiffe(account)));
            }
        }
        return UpstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder()
                        .setTlsParams(TLS_PARAMS)
                        .addAllAlpnProtocols(isHttp2(cluster) ? ALPN_IN_MESH_H2 : ALPN_IN_MESH)
                        .addTlsCertificateSdsSecretConfigs(sds(SDS_DEFAULT))
                        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext
                                .newBuilder().setDefaultValidationContext(validation)
                                .setValidationContextSdsSecretConfig(sds(SDS_ROOT))))
                .setSni(sni.isEmpty() ? meshSni(port.port(), subset, service.host()) : sni)
                .build();
    }

    /** SIMPLE and MUTUAL: the user's own certificates, from files or from a credentialName. */
    private static UpstreamTlsContext userTls(Cluster.Builder cluster, ClientTLSSettings tls) {
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder();
        if (isHttp2(cluster)) {
            common.addAlpnProtocols("h2");
        }
        boolean credential = !tls.credentialName().isEmpty();
        if (tls.mode() == ClientTLSSettings.TLSmode.MUTUAL) {
            common.addTlsCertificateSdsSecretConfigs(sds(credential ? "kubernetes://" + tls.credentialName()
                    : "file-cert:" + tls.clientCertificate() + "~" + tls.privateKey()));
        }
        String root = credential ? "kubernetes://" + tls.credentialName() + "-cacert"
                : tls.caCertificates().isEmpty() ? "" : "file-root:" + tls.caCertificates();
        if (!Boolean.TRUE.equals(tls.insecureSkipVerify()) && !root.isEmpty()) {
            CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
            tls.subjectAltNames().forEach(san -> validation.addMatchTypedSubjectAltNames(sanMatcher(san)));
            common.setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                    .setDefaultValidationContext(validation).setValidationContextSdsSecretConfig(sds(root)));
        }
        return UpstreamTlsContext.newBuilder().setCommonTlsContext(common).setSni(tls.sni()).build();
    }

    /** A SAN as written by a user: a URI (contains {@code ://}), an IP address, else a DNS name. */
    static SubjectAltNameMatcher sanMatcher(String san) {
        if (san.contains("://")) {
            return uri(san);
        }
        SubjectAltNameMatcher.SanType type = isIp(san) ? SubjectAltNameMatcher.SanType.IP_ADDRESS
                : SubjectAltNameMatcher.SanType.DNS;
        return SubjectAltNameMatcher.newBuilder().setSanType(type)
                .setMatcher(StringMatcher.newBuilder().setExact(san)).build();
    }

    private static SubjectAltNameMatcher uri(String value) {
        return SubjectAltNameMatcher.newBuilder().setSanType(SubjectAltNameMatcher.SanType.URI)
                .setMatcher(StringMatcher.newBuilder().setExact(value)).build();
    }

    private static boolean isIp(String s) {
        return s.matches("[0-9.]+") || (s.contains(":") && s.matches("[0-9a-fA-F:.]+"));
    }

    /** Whether the cluster speaks HTTP/2 to its endpoints (explicit HTTP/2 protocol options). */
    private static boolean isHttp2(Cluster.Builder cluster) {
        com.google.protobuf.Any options = cluster.getTypedExtensionProtocolOptionsMap()
                .get("envoy.extensions.upstreams.http.v3.HttpProtocolOptions");
        if (options == null) {
            return false;
        }
        try {
            HttpProtocolOptions parsed = options.unpack(HttpProtocolOptions.class);
            return parsed.hasExplicitHttpConfig() && parsed.getExplicitHttpConfig().hasHttp2ProtocolOptions();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalStateException("cluster " + cluster.getName() + " has unreadable protocol options", e);
        }
    }
}
