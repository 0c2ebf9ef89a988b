package dev.mesh.proxy.tls;

import com.google.protobuf.BoolValue;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CertificateValidationContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.CommonTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SdsSecretConfig;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.SubjectAltNameMatcher;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.TlsParameters;
import io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.List;

/** The TLS contexts config-distributor sends (see its MeshTls and golden files), built for tests. */
final class MeshContexts {

    private MeshContexts() {
    }

    private static SdsSecretConfig sds(String name) {
        return SdsSecretConfig.newBuilder().setName(name).setSdsConfig(ConfigSource.newBuilder()
                .setAds(AggregatedConfigSource.getDefaultInstance())).build();
    }

    private static final TlsParameters TLS_PARAMS = TlsParameters.newBuilder()
            .setTlsMinimumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_2)
            .setTlsMaximumProtocolVersion(TlsParameters.TlsProtocol.TLSv1_3).build();

    /** STRICT inbound: the workload certificate, a client certificate required with a SPIFFE id of the domain. */
    static DownstreamTlsContext inbound(String trustDomain) {
        return DownstreamTlsContext.newBuilder()
                .setCommonTlsContext(CommonTlsContext.newBuilder().setTlsParams(TLS_PARAMS)
                        .addAllAlpnProtocols(List.of("istio-peer-exchange", "h2", "http/1.1"))
                        .addTlsCertificateSdsSecretConfigs(sds("default"))
                        .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                                .setDefaultValidationContext(CertificateValidationContext.newBuilder()
                                        .addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                                                .setSanType(SubjectAltNameMatcher.SanType.URI)
                                                .setMatcher(StringMatcher.newBuilder()
                                                        .setPrefix("spiffe://" + trustDomain + "/"))))
                                .setValidationContextSdsSecretConfig(sds("ROOTCA"))))
                .setRequireClientCertificate(BoolValue.of(true)).build();
    }

    /** ISTIO_MUTUAL outbound to a service whose pods run as {@code expectedSans}. */
    static UpstreamTlsContext outbound(String sni, List<String> alpn, List<String> expectedSans, boolean withCertificate) {
        CertificateValidationContext.Builder validation = CertificateValidationContext.newBuilder();
        for (String san : expectedSans) {
            validation.addMatchTypedSubjectAltNames(SubjectAltNameMatcher.newBuilder()
                    .setSanType(SubjectAltNameMatcher.SanType.URI).setMatcher(StringMatcher.newBuilder().setExact(san)));
        }
        CommonTlsContext.Builder common = CommonTlsContext.newBuilder().setTlsParams(TLS_PARAMS).addAllAlpnProtocols(alpn)
                .setCombinedValidationContext(CommonTlsContext.CombinedCertificateValidationContext.newBuilder()
                        .setDefaultValidationContext(validation).setValidationContextSdsSecretConfig(sds("ROOTCA")));
        if (withCertificate) {
            common.addTlsCertificateSdsSecretConfigs(sds("default"));
        }
        return UpstreamTlsContext.newBuilder().setCommonTlsContext(common).setSni(sni).build();
    }
}
