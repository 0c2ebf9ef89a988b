package dev.mesh.proxy.tls;

import com.google.protobuf.Any;
import dev.mesh.proxy.model.ForwardedFor;
import dev.mesh.proxy.rbac.InboundAuthorization;
import dev.mesh.proxy.rbac.RequestView;
import dev.mesh.proxy.xds.XdsParser;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.ForwardClientCertDetails;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager.SetCurrentClientCertDetails;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an HTTP filter chain's connection manager asks of each request for the mesh: the
 * {@code x-forwarded-client-cert} handling, the RBAC filters (in their order) and the {@code x-forwarded-for}
 * handling that decides the client address RBAC's {@code remote_ip} matches. Parsed once per config.
 */
public record HttpChainSecurity(ForwardClientCertDetails xfccMode, SetCurrentClientCertDetails xfccDetails,
        InboundAuthorization authorization, ForwardedFor forwardedFor) {

    /** No XFCC change and no authorization: how the proxy behaved before mutual TLS. */
    public static final HttpChainSecurity NONE = new HttpChainSecurity(ForwardClientCertDetails.ALWAYS_FORWARD_ONLY,
            SetCurrentClientCertDetails.getDefaultInstance(), InboundAuthorization.NONE, ForwardedFor.ENVOY_DEFAULT);

    /** Every request refused: for a chain whose authorization could not be read. */
    public static final HttpChainSecurity DENY_ALL = new HttpChainSecurity(ForwardClientCertDetails.SANITIZE,
            SetCurrentClientCertDetails.getDefaultInstance(), InboundAuthorization.of(List.of(
                    dev.mesh.proxy.rbac.RbacEngine.compile(io.envoyproxy.envoy.config.rbac.v3.RBAC.getDefaultInstance(),
                            "deny all"))), ForwardedFor.ENVOY_DEFAULT);

    /** @throws IllegalArgumentException naming {@code at} and the filter for an RBAC config this proxy cannot apply */
    public static HttpChainSecurity from(HttpConnectionManager hcm, String at) {
        List<Map.Entry<String, Any>> rbac = new ArrayList<>();
        for (HttpFilter filter : hcm.getHttpFiltersList()) {
            if (filter.getName().equals(InboundAuthorization.HTTP_FILTER)
                    || filter.getTypedConfig().getTypeUrl().endsWith("envoy.extensions.filters.http.rbac.v3.RBAC")) {
                rbac.add(new AbstractMap.SimpleEntry<>(filter.getName(), filter.getTypedConfig()));
            }
        }
        return new HttpChainSecurity(hcm.getForwardClientCertDetails(), hcm.getSetCurrentClientCertDetails(),
                InboundAuthorization.fromHttpFilters(rbac, at), XdsParser.forwardedFor(hcm));
    }

    /** Empty when the request may pass; else answer {@link InboundAuthorization#DENIED_STATUS}. */
    public Optional<InboundAuthorization.Denial> check(RequestView request) {
        return authorization.check(request);
    }

    /** The XFCC header to send on (empty: remove it). */
    public Optional<String> xfcc(String incoming, Optional<PeerIdentity> peer, String localUri) {
        return Xfcc.apply(incoming, xfccMode, xfccDetails, localUri, peer);
    }
}
