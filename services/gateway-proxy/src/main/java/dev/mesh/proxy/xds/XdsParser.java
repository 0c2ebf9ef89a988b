package dev.mesh.proxy.xds;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.mesh.proxy.model.Action;
import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.ConnectionLimits;
import dev.mesh.proxy.model.DownstreamTls;
import dev.mesh.proxy.model.Endpoint;
import dev.mesh.proxy.model.Fault;
import dev.mesh.proxy.model.ForwardedFor;
import dev.mesh.proxy.model.HeaderMatcher;
import dev.mesh.proxy.model.HeaderOps;
import dev.mesh.proxy.model.Listener;
import dev.mesh.proxy.model.OutlierDetection;
import dev.mesh.proxy.model.QueryMatcher;
import dev.mesh.proxy.model.RetryPolicy;
import dev.mesh.proxy.model.Route;
import dev.mesh.proxy.model.RouteMatch;
import dev.mesh.proxy.model.RouteTable;
import dev.mesh.proxy.model.StringMatcher;
import dev.mesh.proxy.model.VirtualHost;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.HealthStatus;
import io.envoyproxy.envoy.config.endpoint.v3.ClusterLoadAssignment;
import io.envoyproxy.envoy.config.endpoint.v3.LbEndpoint;
import io.envoyproxy.envoy.config.endpoint.v3.LocalityLbEndpoints;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteConfiguration;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import io.envoyproxy.envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy;
import io.envoyproxy.envoy.extensions.upstreams.http.v3.HttpProtocolOptions;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.v3.FractionalPercent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Pure functions from xDS protos to the proxy's model. Each function parses every resource it is given,
 * collects one message per problem naming the resource and the field, and never lets one bad resource hide
 * the good ones; the caller decides whether errors mean a NACK.
 */
public final class XdsParser {

    public static final String HCM = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager";
    public static final String TCP_PROXY = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
    public static final String DOWNSTREAM_TLS = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext";
    public static final String FAULT_FILTER = "envoy.filters.http.fault";
    private static final String PROTOCOL_OPTIONS = "envoy.extensions.upstreams.http.v3.HttpProtocolOptions";
    /** Envoy's route timeout when the route does not set one. */
    private static final Duration DEFAULT_ROUTE_TIMEOUT = Duration.ofSeconds(15);

    private XdsParser() {}

    /**
     * Resources that parsed, by name, the wire form of each by the same name, and the problems found, each
     * naming its resource and field.
     */
    public record Parsed<T>(Map<String, T> resources, Map<String, Any> raw, List<String> errors) {}

    /** Thrown inside one resource's parse; carries the field path. */
    private static final class Invalid extends Exception {
        Invalid(String message) {
            super(message, null, false, false);
        }
    }

    // ---------------------------------------------------------------- listeners

    /**
     * Listeners whose filter chains the proxy can serve: an HTTP connection manager (routes from RDS or inline)
     * or a TCP proxy. Listeners with neither are skipped, not refused. See {@link Listener} for how a listener
     * whose chains match on destination port becomes one model listener per chain.
     */
    public static Parsed<Listener> listeners(List<Any> resources) {
        Map<String, Listener> out = new LinkedHashMap<>();
        Map<String, Any> raw = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String name = "resources[" + i + "]";
            try {
                var l = resources.get(i).unpack(io.envoyproxy.envoy.config.listener.v3.Listener.class);
                name = l.getName();
                for (Listener parsed : listener(l)) {
                    out.put(parsed.name(), parsed);
                }
                raw.put(l.getName(), resources.get(i));
            } catch (InvalidProtocolBufferException e) {
                errors.add("Listener " + name + ": not a envoy.config.listener.v3.Listener: " + e.getMessage());
            } catch (Invalid e) {
                errors.add("Listener " + name + ": " + e.getMessage());
            }
        }
        return new Parsed<>(out, raw, errors);
    }

    private static List<Listener> listener(io.envoyproxy.envoy.config.listener.v3.Listener l) throws Invalid {
        if (!l.getAddress().hasSocketAddress()) {
            return List.of();
        }
        var sa = l.getAddress().getSocketAddress();
        boolean bind = !l.hasBindToPort() || l.getBindToPort().getValue();
        boolean inbound = l.getTrafficDirection() == io.envoyproxy.envoy.config.core.v3.TrafficDirection.INBOUND;
        List<Listener> out = new ArrayList<>();
        List<Integer> shared = new ArrayList<>();
        for (int c = 0; c < l.getFilterChainsCount(); c++) {
            FilterChain chain = l.getFilterChains(c);
            String at = "filter_chains[" + c + "]";
            if (chain.getFilterChainMatch().hasDestinationPort()) {
                int port = chain.getFilterChainMatch().getDestinationPort().getValue();
                if (port <= 0 || port > 65535) {
                    throw new Invalid(at + ".filter_chain_match.destination_port: " + port + " is not a port");
                }
                String name = chain.getName().isEmpty() ? l.getName() + "|" + port : chain.getName();
                Listener parsed = chain(chain, at, name, sa.getAddress(), port, false, inbound);
                if (parsed != null) {
                    out.add(parsed);
                }
            } else {
                shared.add(c);
            }
        }
        if (shared.isEmpty() && !l.hasDefaultFilterChain()) {
            return out;
        }
        if (sa.getPortValue() <= 0 || sa.getPortValue() > 65535) {
            throw new Invalid("address.socket_address.port_value: " + sa.getPortValue() + " is not a port");
        }
        // Chains on the listener's own socket: one keeps the listener's name; several are told apart by SNI.
        boolean several = shared.size() + (l.hasDefaultFilterChain() ? 1 : 0) > 1;
        for (int c : shared) {
            FilterChain chain = l.getFilterChains(c);
            String name = !several ? l.getName() : l.getName() + "|" + (chain.getName().isEmpty() ? c : chain.getName());
            Listener parsed = chain(chain, "filter_chains[" + c + "]", name, sa.getAddress(), sa.getPortValue(), bind, inbound);
            if (parsed != null) {
                out.add(parsed);
            }
        }
        if (l.hasDefaultFilterChain()) {
            Listener parsed = chain(l.getDefaultFilterChain(), "default_filter_chain",
                    several ? l.getName() + "|default" : l.getName(), sa.getAddress(), sa.getPortValue(), bind, inbound);
            if (parsed != null) {
                out.add(parsed);
            }
        }
        return out;
    }

    /** The first filter of the chain the proxy serves (HTTP connection manager or TCP proxy), or null. */
    private static Listener chain(FilterChain chain, String at, String name, String address, int port, boolean bind,
            boolean inbound) throws Invalid {
        List<String> serverNames = List.copyOf(chain.getFilterChainMatch().getServerNamesList());
        // An inbound (sidecar) chain's TLS is the mesh's mutual TLS, which the capture path terminates from the raw
        // listener (tls/MeshInbound); only a gateway's own TLS is built here.
        DownstreamTls tls = !inbound && chain.hasTransportSocket()
                ? downstreamTls(chain.getTransportSocket(), at + ".transport_socket") : null;
        for (int f = 0; f < chain.getFiltersCount(); f++) {
            Filter filter = chain.getFilters(f);
            String field = at + ".filters[" + f + "].typed_config";
            String type = filter.getTypedConfig().getTypeUrl();
            if (type.equals(HCM)) {
                HttpConnectionManager hcm;
                try {
                    hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
                } catch (InvalidProtocolBufferException e) {
                    throw new Invalid(field + ": cannot unpack HttpConnectionManager: " + e.getMessage());
                }
                if (hcm.hasRds()) {
                    if (hcm.getRds().getRouteConfigName().isEmpty()) {
                        throw new Invalid(field + ".rds.route_config_name: must not be empty");
                    }
                    return new Listener(name, address, port, hcm.getRds().getRouteConfigName(), bind, null, null, inbound,
                            serverNames, tls, forwardedFor(hcm));
                }
                if (hcm.hasRouteConfig()) {
                    RouteTable inline;
                    try {
                        inline = routeTable(hcm.getRouteConfig());
                    } catch (Invalid e) {
                        throw new Invalid(field + ".route_config." + e.getMessage());
                    }
                    return new Listener(name, address, port, null, bind, inline, null, inbound, serverNames, tls,
                            forwardedFor(hcm));
                }
                return null;
            }
            if (type.equals(TCP_PROXY)) {
                TcpProxy tcp;
                try {
                    tcp = filter.getTypedConfig().unpack(TcpProxy.class);
                } catch (InvalidProtocolBufferException e) {
                    throw new Invalid(field + ": cannot unpack TcpProxy: " + e.getMessage());
                }
                List<Action.WeightedCluster> clusters = new ArrayList<>();
                if (tcp.hasWeightedClusters()) {
                    for (var w : tcp.getWeightedClusters().getClustersList()) {
                        if (w.getWeight() > 0) {
                            clusters.add(new Action.WeightedCluster(w.getName(), w.getWeight(), HeaderOps.NONE));
                        }
                    }
                } else if (!tcp.getCluster().isEmpty()) {
                    clusters.add(new Action.WeightedCluster(tcp.getCluster(), 1, HeaderOps.NONE));
                }
                if (clusters.isEmpty()) {
                    throw new Invalid(field + ": TcpProxy names no cluster (cluster or weighted_clusters)");
                }
                return new Listener(name, address, port, null, bind, null, List.copyOf(clusters), inbound, serverNames, tls,
                        ForwardedFor.ENVOY_DEFAULT);
            }
        }
        return null;
    }

    /** The connection manager's {@code x-forwarded-for} handling; unset fields are Envoy's defaults. */
    public static ForwardedFor forwardedFor(HttpConnectionManager hcm) {
        return new ForwardedFor(hcm.hasUseRemoteAddress() && hcm.getUseRemoteAddress().getValue(),
                hcm.getXffNumTrustedHops(), hcm.getSkipXffAppend());
    }

    /**
     * A chain's {@code DownstreamTlsContext}: certificates inline, from files, or by SDS name (resolved by the
     * proxy to files, config-distributor serves no secrets). Client certificates (Gateway MUTUAL) are refused.
     */
    private static DownstreamTls downstreamTls(io.envoyproxy.envoy.config.core.v3.TransportSocket socket, String at)
            throws Invalid {
        if (!socket.getTypedConfig().getTypeUrl().equals(DOWNSTREAM_TLS)) {
            throw new Invalid(at + ".typed_config: " + socket.getTypedConfig().getTypeUrl()
                    + " is not supported; only " + DOWNSTREAM_TLS);
        }
        io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext ctx;
        try {
            ctx = socket.getTypedConfig().unpack(io.envoyproxy.envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext.class);
        } catch (InvalidProtocolBufferException e) {
            throw new Invalid(at + ".typed_config: cannot unpack DownstreamTlsContext: " + e.getMessage());
        }
        if (ctx.hasRequireClientCertificate() && ctx.getRequireClientCertificate().getValue()) {
            throw new Invalid(at + ".typed_config.require_client_certificate: client certificates (Gateway tls.mode "
                    + "MUTUAL) are not supported yet");
        }
        var common = ctx.getCommonTlsContext();
        String cat = at + ".typed_config.common_tls_context";
        List<DownstreamTls.Certificate> certs = new ArrayList<>();
        for (int i = 0; i < common.getTlsCertificatesCount(); i++) {
            var c = common.getTlsCertificates(i);
            String cfield = cat + ".tls_certificates[" + i + "]";
            var chain = c.getCertificateChain();
            var key = c.getPrivateKey();
            if (chain.hasFilename() != key.hasFilename()) {
                throw new Invalid(cfield + ": certificate_chain and private_key must both be files or both be inline");
            }
            if (chain.hasFilename()) {
                certs.add(new DownstreamTls.Certificate(null, null, chain.getFilename(), key.getFilename(), null));
            } else {
                String chainPem = bodyText(chain);
                String keyPem = bodyText(key);
                if (chainPem.isEmpty() || keyPem.isEmpty()) {
                    throw new Invalid(cfield + ": certificate_chain and private_key must not be empty");
                }
                certs.add(new DownstreamTls.Certificate(chainPem, keyPem, null, null, null));
            }
        }
        for (int i = 0; i < common.getTlsCertificateSdsSecretConfigsCount(); i++) {
            String name = common.getTlsCertificateSdsSecretConfigs(i).getName();
            if (name.isEmpty()) {
                throw new Invalid(cat + ".tls_certificate_sds_secret_configs[" + i + "].name: must not be empty");
            }
            certs.add(new DownstreamTls.Certificate(null, null, null, null, name));
        }
        if (certs.isEmpty()) {
            throw new Invalid(cat + ": no certificate (tls_certificates or tls_certificate_sds_secret_configs)");
        }
        List<String> alpn = common.getAlpnProtocolsCount() == 0 ? List.of("http/1.1")
                : List.copyOf(common.getAlpnProtocolsList());
        for (String p : alpn) {
            if (!p.equals("h2") && !p.equals("http/1.1")) {
                throw new Invalid(cat + ".alpn_protocols: \"" + p + "\" is not supported; use h2 and http/1.1");
            }
        }
        return new DownstreamTls(List.copyOf(certs), alpn, false);
    }

    // ---------------------------------------------------------------- routes

    public static Parsed<RouteTable> routeTables(List<Any> resources) {
        Map<String, RouteTable> out = new LinkedHashMap<>();
        Map<String, Any> raw = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String name = "resources[" + i + "]";
            try {
                RouteConfiguration rc = resources.get(i).unpack(RouteConfiguration.class);
                name = rc.getName();
                out.put(rc.getName(), routeTable(rc));
                raw.put(rc.getName(), resources.get(i));
            } catch (InvalidProtocolBufferException e) {
                errors.add("RouteConfiguration " + name + ": not a envoy.config.route.v3.RouteConfiguration: " + e.getMessage());
            } catch (Invalid e) {
                errors.add("RouteConfiguration " + name + ": " + e.getMessage());
            }
        }
        return new Parsed<>(out, raw, errors);
    }

    static RouteTable routeTable(RouteConfiguration rc) throws Invalid {
        List<VirtualHost> hosts = new ArrayList<>();
        for (int v = 0; v < rc.getVirtualHostsCount(); v++) {
            var vh = rc.getVirtualHosts(v);
            String at = "virtual_hosts[" + v + "]";
            if (vh.getDomainsCount() == 0) {
                throw new Invalid(at + ".domains: must not be empty");
            }
            List<Route> routes = new ArrayList<>();
            for (int r = 0; r < vh.getRoutesCount(); r++) {
                routes.add(route(vh.getRoutes(r), at + ".routes[" + r + "]"));
            }
            hosts.add(new VirtualHost(vh.getName(), List.copyOf(vh.getDomainsList()), List.copyOf(routes),
                    headerOps(vh.getRequestHeadersToAddList(), vh.getRequestHeadersToRemoveList(),
                            vh.getResponseHeadersToAddList(), vh.getResponseHeadersToRemoveList())));
        }
        return new RouteTable(rc.getName(), List.copyOf(hosts), headerOps(rc.getRequestHeadersToAddList(),
                rc.getRequestHeadersToRemoveList(), rc.getResponseHeadersToAddList(), rc.getResponseHeadersToRemoveList()));
    }

    private static Route route(io.envoyproxy.envoy.config.route.v3.Route r, String at) throws Invalid {
        RouteMatch match = match(r.getMatch(), at + ".match");
        Action action = switch (r.getActionCase()) {
            case ROUTE -> forward(r.getRoute(), at + ".route");
            case REDIRECT -> redirect(r.getRedirect(), at + ".redirect");
            case DIRECT_RESPONSE -> new Action.DirectResponse(r.getDirectResponse().getStatus(),
                    r.getDirectResponse().hasBody() ? bodyText(r.getDirectResponse().getBody()) : "");
            default -> throw new Invalid(at + ": action " + r.getActionCase() + " is not supported");
        };
        if (action instanceof Action.DirectResponse d && (d.status() < 200 || d.status() > 599)) {
            throw new Invalid(at + ".direct_response.status: " + d.status() + " is not an HTTP status");
        }
        Fault fault = null;
        Any faultAny = r.getTypedPerFilterConfigMap().get(FAULT_FILTER);
        if (faultAny != null) {
            fault = fault(faultAny, at + ".typed_per_filter_config[" + FAULT_FILTER + "]");
        }
        return new Route(r.getName(), match, action, headerOps(r.getRequestHeadersToAddList(),
                r.getRequestHeadersToRemoveList(), r.getResponseHeadersToAddList(), r.getResponseHeadersToRemoveList()),
                fault);
    }

    private static String bodyText(io.envoyproxy.envoy.config.core.v3.DataSource ds) {
        return switch (ds.getSpecifierCase()) {
            case INLINE_STRING -> ds.getInlineString();
            case INLINE_BYTES -> ds.getInlineBytes().toStringUtf8();
            default -> "";
        };
    }

    private static RouteMatch match(io.envoyproxy.envoy.config.route.v3.RouteMatch m, String at) throws Invalid {
        boolean caseSensitive = !m.hasCaseSensitive() || m.getCaseSensitive().getValue();
        RouteMatch.PathKind kind;
        String path = null;
        Pattern regex = null;
        switch (m.getPathSpecifierCase()) {
            case PREFIX -> {
                kind = RouteMatch.PathKind.PREFIX;
                path = m.getPrefix();
            }
            case PATH -> {
                kind = RouteMatch.PathKind.EXACT;
                path = m.getPath();
            }
            case PATH_SEPARATED_PREFIX -> {
                kind = RouteMatch.PathKind.PREFIX;
                path = m.getPathSeparatedPrefix();
            }
            case SAFE_REGEX -> {
                kind = RouteMatch.PathKind.REGEX;
                regex = regex(m.getSafeRegex(), at + ".safe_regex.regex", !caseSensitive);
            }
            default -> throw new Invalid(at + ": path specifier " + m.getPathSpecifierCase() + " is not supported");
        }
        List<HeaderMatcher> headers = new ArrayList<>();
        for (int h = 0; h < m.getHeadersCount(); h++) {
            headers.add(headerMatcher(m.getHeaders(h), at + ".headers[" + h + "]"));
        }
        List<QueryMatcher> query = new ArrayList<>();
        for (int q = 0; q < m.getQueryParametersCount(); q++) {
            var qp = m.getQueryParameters(q);
            String qat = at + ".query_parameters[" + q + "]";
            if (qp.hasStringMatch()) {
                query.add(new QueryMatcher(qp.getName(), stringMatcher(qp.getStringMatch(), qat + ".string_match")));
            } else {
                query.add(new QueryMatcher(qp.getName(), null));
            }
        }
        return new RouteMatch(kind, path, regex, caseSensitive, List.copyOf(headers), List.copyOf(query));
    }

    private static HeaderMatcher headerMatcher(io.envoyproxy.envoy.config.route.v3.HeaderMatcher h, String at)
            throws Invalid {
        String name = h.getName().toLowerCase(java.util.Locale.ROOT);
        if (name.isEmpty()) {
            throw new Invalid(at + ".name: must not be empty");
        }
        StringMatcher sm = switch (h.getHeaderMatchSpecifierCase()) {
            case STRING_MATCH -> stringMatcher(h.getStringMatch(), at + ".string_match");
            case EXACT_MATCH -> new StringMatcher(StringMatcher.Kind.EXACT, h.getExactMatch(), null, false);
            case PREFIX_MATCH -> new StringMatcher(StringMatcher.Kind.PREFIX, h.getPrefixMatch(), null, false);
            case SUFFIX_MATCH -> new StringMatcher(StringMatcher.Kind.SUFFIX, h.getSuffixMatch(), null, false);
            case CONTAINS_MATCH -> new StringMatcher(StringMatcher.Kind.CONTAINS, h.getContainsMatch(), null, false);
            case SAFE_REGEX_MATCH -> new StringMatcher(StringMatcher.Kind.REGEX, null,
                    regex(h.getSafeRegexMatch(), at + ".safe_regex_match.regex", false), false);
            case PRESENT_MATCH, HEADERMATCHSPECIFIER_NOT_SET -> null;
            default -> throw new Invalid(at + ": " + h.getHeaderMatchSpecifierCase() + " is not supported");
        };
        boolean present = h.getHeaderMatchSpecifierCase() != io.envoyproxy.envoy.config.route.v3.HeaderMatcher
                .HeaderMatchSpecifierCase.PRESENT_MATCH || h.getPresentMatch();
        return new HeaderMatcher(name, sm, present, h.getInvertMatch());
    }

    private static StringMatcher stringMatcher(io.envoyproxy.envoy.type.matcher.v3.StringMatcher s, String at)
            throws Invalid {
        boolean ic = s.getIgnoreCase();
        return switch (s.getMatchPatternCase()) {
            case EXACT -> new StringMatcher(StringMatcher.Kind.EXACT, s.getExact(), null, ic);
            case PREFIX -> new StringMatcher(StringMatcher.Kind.PREFIX, s.getPrefix(), null, ic);
            case SUFFIX -> new StringMatcher(StringMatcher.Kind.SUFFIX, s.getSuffix(), null, ic);
            case CONTAINS -> new StringMatcher(StringMatcher.Kind.CONTAINS, s.getContains(), null, ic);
            case SAFE_REGEX -> new StringMatcher(StringMatcher.Kind.REGEX, null,
                    regex(s.getSafeRegex(), at + ".safe_regex.regex", ic), ic);
            default -> throw new Invalid(at + ": " + s.getMatchPatternCase() + " is not supported");
        };
    }

    private static Pattern regex(RegexMatcher m, String at, boolean ignoreCase) throws Invalid {
        try {
            return Pattern.compile(m.getRegex(), ignoreCase ? Pattern.CASE_INSENSITIVE : 0);
        } catch (PatternSyntaxException e) {
            throw new Invalid(at + ": invalid regex \"" + m.getRegex() + "\": " + e.getDescription());
        }
    }

    private static Action.Forward forward(RouteAction ra, String at) throws Invalid {
        List<Action.WeightedCluster> clusters = new ArrayList<>();
        int total;
        switch (ra.getClusterSpecifierCase()) {
            case CLUSTER -> {
                clusters.add(new Action.WeightedCluster(ra.getCluster(), 1, HeaderOps.NONE));
                total = 1;
            }
            case WEIGHTED_CLUSTERS -> {
                total = 0;
                var wc = ra.getWeightedClusters();
                for (int c = 0; c < wc.getClustersCount(); c++) {
                    var w = wc.getClusters(c);
                    if (w.getName().isEmpty()) {
                        throw new Invalid(at + ".weighted_clusters.clusters[" + c + "].name: must not be empty");
                    }
                    int weight = w.hasWeight() ? w.getWeight().getValue() : 0;
                    total += weight;
                    clusters.add(new Action.WeightedCluster(w.getName(), weight, headerOps(w.getRequestHeadersToAddList(),
                            w.getRequestHeadersToRemoveList(), w.getResponseHeadersToAddList(),
                            w.getResponseHeadersToRemoveList())));
                }
                if (total <= 0) {
                    throw new Invalid(at + ".weighted_clusters.clusters: weights sum to " + total + ", must be > 0");
                }
            }
            default -> throw new Invalid(at + ": cluster specifier " + ra.getClusterSpecifierCase() + " is not supported");
        }
        Duration timeout = ra.hasTimeout() ? duration(ra.getTimeout()) : DEFAULT_ROUTE_TIMEOUT;
        RetryPolicy retry = RetryPolicy.NONE;
        if (ra.hasRetryPolicy()) {
            var rp = ra.getRetryPolicy();
            Set<String> on = new HashSet<>();
            for (String s : rp.getRetryOn().split(",")) {
                if (!s.isBlank()) {
                    on.add(s.trim());
                }
            }
            int num = rp.hasNumRetries() ? rp.getNumRetries().getValue() : 1;
            retry = new RetryPolicy(Set.copyOf(on), num, rp.hasPerTryTimeout() ? duration(rp.getPerTryTimeout()) : Duration.ZERO,
                    Set.copyOf(rp.getRetriableStatusCodesList()));
        }
        Pattern regexRewrite = null;
        String substitution = null;
        if (ra.hasRegexRewrite()) {
            regexRewrite = regex(ra.getRegexRewrite().getPattern(), at + ".regex_rewrite.pattern.regex", false);
            // RE2 writes group references as \1; Java's Matcher wants $1.
            substitution = ra.getRegexRewrite().getSubstitution().replace("$", "\\$").replaceAll("\\\\(\\d)", "\\$$1");
        }
        List<Action.Mirror> mirrors = new ArrayList<>();
        for (var mp : ra.getRequestMirrorPoliciesList()) {
            int perMillion = mp.hasRuntimeFraction() ? perMillion(mp.getRuntimeFraction().getDefaultValue()) : 1_000_000;
            mirrors.add(new Action.Mirror(mp.getCluster(), perMillion));
        }
        List<Action.HashPolicy> hash = new ArrayList<>();
        for (var hp : ra.getHashPolicyList()) {
            switch (hp.getPolicySpecifierCase()) {
                case HEADER -> hash.add(new Action.HashPolicy(hp.getHeader().getHeaderName().toLowerCase(java.util.Locale.ROOT), null, false, hp.getTerminal()));
                case COOKIE -> hash.add(new Action.HashPolicy(null, hp.getCookie().getName(), false, hp.getTerminal()));
                case CONNECTION_PROPERTIES -> hash.add(new Action.HashPolicy(null, null, hp.getConnectionProperties().getSourceIp(), hp.getTerminal()));
                default -> { /* other hash inputs contribute nothing; the ring then picks at random */ }
            }
        }
        return new Action.Forward(List.copyOf(clusters), total, timeout, retry,
                ra.getPrefixRewrite().isEmpty() ? null : ra.getPrefixRewrite(), regexRewrite, substitution,
                ra.getHostRewriteLiteral().isEmpty() ? null : ra.getHostRewriteLiteral(), List.copyOf(mirrors), List.copyOf(hash));
    }

    private static Action.Redirect redirect(RedirectAction r, String at) {
        int status = switch (r.getResponseCode()) {
            case FOUND -> 302;
            case SEE_OTHER -> 303;
            case TEMPORARY_REDIRECT -> 307;
            case PERMANENT_REDIRECT -> 308;
            default -> 301;
        };
        String scheme = r.getHttpsRedirect() ? "https" : r.getSchemeRedirect().isEmpty() ? null : r.getSchemeRedirect();
        return new Action.Redirect(status, scheme, r.getHostRedirect().isEmpty() ? null : r.getHostRedirect(),
                r.getPortRedirect() == 0 ? null : r.getPortRedirect(),
                r.getPathRedirect().isEmpty() ? null : r.getPathRedirect(),
                r.getPrefixRewrite().isEmpty() ? null : r.getPrefixRewrite(), r.getStripQuery());
    }

    private static Fault fault(Any any, String at) throws Invalid {
        HTTPFault f;
        try {
            f = any.unpack(HTTPFault.class);
        } catch (InvalidProtocolBufferException e) {
            throw new Invalid(at + ": not a envoy.extensions.filters.http.fault.v3.HTTPFault: " + e.getMessage());
        }
        Duration delay = null;
        int delayPm = 0;
        if (f.hasDelay()) {
            if (!f.getDelay().hasFixedDelay()) {
                throw new Invalid(at + ".delay.fixed_delay: required (header-controlled delays are not supported)");
            }
            delay = duration(f.getDelay().getFixedDelay());
            delayPm = perMillion(f.getDelay().getPercentage());
        }
        Integer abort = null;
        int abortPm = 0;
        if (f.hasAbort()) {
            int status = f.getAbort().getHttpStatus();
            if (status < 200 || status > 599) {
                throw new Invalid(at + ".abort.http_status: " + status + " is not in [200, 600)");
            }
            abort = status;
            abortPm = perMillion(f.getAbort().getPercentage());
        }
        return new Fault(delay, delayPm, abort, abortPm);
    }

    static int perMillion(FractionalPercent p) {
        long n = p.getNumerator();
        long v = switch (p.getDenominator()) {
            case HUNDRED -> n * 10_000;
            case TEN_THOUSAND -> n * 100;
            default -> n;
        };
        return (int) Math.min(1_000_000, v);
    }

    private static Duration duration(com.google.protobuf.Duration d) {
        return Duration.ofSeconds(d.getSeconds(), d.getNanos());
    }

    private static HeaderOps headerOps(List<HeaderValueOption> reqAdd, List<String> reqRemove,
            List<HeaderValueOption> respAdd, List<String> respRemove) {
        if (reqAdd.isEmpty() && reqRemove.isEmpty() && respAdd.isEmpty() && respRemove.isEmpty()) {
            return HeaderOps.NONE;
        }
        return new HeaderOps(values(reqAdd), List.copyOf(reqRemove), values(respAdd), List.copyOf(respRemove));
    }

    private static List<HeaderOps.HeaderValue> values(List<HeaderValueOption> options) {
        List<HeaderOps.HeaderValue> out = new ArrayList<>();
        for (HeaderValueOption o : options) {
            boolean append = switch (o.getAppendAction()) {
                case OVERWRITE_IF_EXISTS_OR_ADD -> false;
                case APPEND_IF_EXISTS_OR_ADD -> !o.hasAppend() || o.getAppend().getValue();
                default -> false;
            };
            out.add(new HeaderOps.HeaderValue(o.getHeader().getKey(), o.getHeader().getValue(), append));
        }
        return List.copyOf(out);
    }

    // ---------------------------------------------------------------- clusters and endpoints

    /** Clusters the proxy can send to; an ORIGINAL_DST (passthrough) cluster sends to the original destination. */
    public static Parsed<ClusterSpec> clusters(List<Any> resources) {
        Map<String, ClusterSpec> out = new LinkedHashMap<>();
        Map<String, Any> raw = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String name = "resources[" + i + "]";
            try {
                Cluster c = resources.get(i).unpack(Cluster.class);
                name = c.getName();
                ClusterSpec spec = cluster(c);
                if (spec != null) {
                    out.put(c.getName(), spec);
                }
                raw.put(c.getName(), resources.get(i));
            } catch (InvalidProtocolBufferException e) {
                errors.add("Cluster " + name + ": not a envoy.config.cluster.v3.Cluster: " + e.getMessage());
            } catch (Invalid e) {
                errors.add("Cluster " + name + ": " + e.getMessage());
            }
        }
        return new Parsed<>(out, raw, errors);
    }

    private static ClusterSpec cluster(Cluster c) throws Invalid {
        if (c.getName().isEmpty()) {
            throw new Invalid("name: must not be empty");
        }
        if (c.getType() == Cluster.DiscoveryType.ORIGINAL_DST) {
            return new ClusterSpec(c.getName(), null, List.of(), ClusterSpec.LbPolicy.ORIGINAL_DST, false,
                    c.hasConnectTimeout() ? duration(c.getConnectTimeout()) : Duration.ofSeconds(5), null, null, null,
                    null, null);
        }
        ClusterSpec.LbPolicy lb = switch (c.getLbPolicy()) {
            case ROUND_ROBIN -> ClusterSpec.LbPolicy.ROUND_ROBIN;
            case LEAST_REQUEST -> ClusterSpec.LbPolicy.LEAST_REQUEST;
            case RANDOM -> ClusterSpec.LbPolicy.RANDOM;
            case RING_HASH, MAGLEV -> ClusterSpec.LbPolicy.RING_HASH;
            case CLUSTER_PROVIDED -> ClusterSpec.LbPolicy.ROUND_ROBIN;
            default -> throw new Invalid("lb_policy: " + c.getLbPolicy() + " is not supported");
        };
        boolean http2 = c.hasHttp2ProtocolOptions();
        Any po = c.getTypedExtensionProtocolOptionsMap().get(PROTOCOL_OPTIONS);
        if (po != null) {
            try {
                var opts = po.unpack(HttpProtocolOptions.class);
                http2 |= opts.hasExplicitHttpConfig() && opts.getExplicitHttpConfig().hasHttp2ProtocolOptions();
            } catch (InvalidProtocolBufferException e) {
                throw new Invalid("typed_extension_protocol_options[" + PROTOCOL_OPTIONS + "]: " + e.getMessage());
            }
        }
        Duration connectTimeout = c.hasConnectTimeout() ? duration(c.getConnectTimeout()) : Duration.ofSeconds(5);
        OutlierDetection outlier = c.hasOutlierDetection() ? outlierDetection(c.getOutlierDetection()) : null;
        ConnectionLimits limits = c.hasCircuitBreakers() ? connectionLimits(c.getCircuitBreakers()) : null;
        String host = null;
        String ns = null;
        Struct istio = c.getMetadata().getFilterMetadataMap().get("istio");
        if (istio != null) {
            Value services = istio.getFieldsMap().get("services");
            if (services != null && services.hasListValue() && services.getListValue().getValuesCount() > 0) {
                var svc = services.getListValue().getValues(0).getStructValue().getFieldsMap();
                host = svc.containsKey("host") ? svc.get("host").getStringValue() : null;
                ns = svc.containsKey("namespace") ? svc.get("namespace").getStringValue() : null;
            }
        }
        String[] parts = c.getName().split("\\|", -1);
        String subset = parts.length == 4 && !parts[2].isEmpty() ? parts[2] : null;
        if (host == null && parts.length == 4) {
            host = parts[3];
        }
        if (c.getType() == Cluster.DiscoveryType.EDS) {
            String service = c.getEdsClusterConfig().getServiceName().isEmpty() ? c.getName()
                    : c.getEdsClusterConfig().getServiceName();
            return new ClusterSpec(c.getName(), service, List.of(), lb, http2, connectTimeout, host, ns, subset, outlier, limits);
        }
        List<Endpoint> inline = endpoints(c.getLoadAssignment(), "load_assignment");
        return new ClusterSpec(c.getName(), null, inline, lb, http2, connectTimeout, host, ns, subset, outlier, limits);
    }

    /** Envoy's defaults where a field is unset: 5 consecutive 5xx, interval 10 s, ejection 30 s, at most 10 %. */
    private static OutlierDetection outlierDetection(io.envoyproxy.envoy.config.cluster.v3.OutlierDetection o) throws Invalid {
        int max = o.hasMaxEjectionPercent() ? o.getMaxEjectionPercent().getValue() : 10;
        if (max > 100) {
            throw new Invalid("outlier_detection.max_ejection_percent: " + max + " is over 100");
        }
        return new OutlierDetection(o.hasConsecutive5Xx() ? o.getConsecutive5Xx().getValue() : 5,
                o.hasConsecutiveGatewayFailure() ? o.getConsecutiveGatewayFailure().getValue() : 0,
                o.hasInterval() ? duration(o.getInterval()) : Duration.ofSeconds(10),
                o.hasBaseEjectionTime() ? duration(o.getBaseEjectionTime()) : Duration.ofSeconds(30), max);
    }

    /**
     * The DEFAULT-priority thresholds, Envoy's 1024 for each unset field. A cluster without
     * {@code circuit_breakers} gets no limits at all (Envoy would apply 1024; Istio sends its own large values).
     */
    private static ConnectionLimits connectionLimits(io.envoyproxy.envoy.config.cluster.v3.CircuitBreakers cb) {
        for (var t : cb.getThresholdsList()) {
            if (t.getPriority() == io.envoyproxy.envoy.config.core.v3.RoutingPriority.DEFAULT) {
                return new ConnectionLimits(threshold(t.hasMaxConnections(), t.getMaxConnections()),
                        threshold(t.hasMaxPendingRequests(), t.getMaxPendingRequests()),
                        threshold(t.hasMaxRequests(), t.getMaxRequests()));
            }
        }
        return null;
    }

    private static int threshold(boolean set, com.google.protobuf.UInt32Value v) {
        return !set ? 1024 : (int) Math.min(Integer.MAX_VALUE, Integer.toUnsignedLong(v.getValue()));
    }

    public static Parsed<List<Endpoint>> endpoints(List<Any> resources) {
        Map<String, List<Endpoint>> out = new LinkedHashMap<>();
        Map<String, Any> raw = new LinkedHashMap<>();
        List<String> errors = new ArrayList<>();
        for (int i = 0; i < resources.size(); i++) {
            String name = "resources[" + i + "]";
            try {
                ClusterLoadAssignment cla = resources.get(i).unpack(ClusterLoadAssignment.class);
                name = cla.getClusterName();
                out.put(cla.getClusterName(), endpoints(cla, ""));
                raw.put(cla.getClusterName(), resources.get(i));
            } catch (InvalidProtocolBufferException e) {
                errors.add("ClusterLoadAssignment " + name + ": not a envoy.config.endpoint.v3.ClusterLoadAssignment: " + e.getMessage());
            } catch (Invalid e) {
                errors.add("ClusterLoadAssignment " + name + ": " + e.getMessage());
            }
        }
        return new Parsed<>(out, raw, errors);
    }

    private static List<Endpoint> endpoints(ClusterLoadAssignment cla, String prefix) throws Invalid {
        String base = prefix.isEmpty() ? "" : prefix + ".";
        List<Endpoint> out = new ArrayList<>();
        for (int l = 0; l < cla.getEndpointsCount(); l++) {
            LocalityLbEndpoints loc = cla.getEndpoints(l);
            for (int e = 0; e < loc.getLbEndpointsCount(); e++) {
                LbEndpoint lbe = loc.getLbEndpoints(e);
                String at = base + "endpoints[" + l + "].lb_endpoints[" + e + "]";
                if (lbe.getHealthStatus() == HealthStatus.UNHEALTHY || lbe.getHealthStatus() == HealthStatus.DRAINING
                        || lbe.getHealthStatus() == HealthStatus.TIMEOUT) {
                    continue;
                }
                var sa = lbe.getEndpoint().getAddress().getSocketAddress();
                if (sa.getAddress().isEmpty()) {
                    throw new Invalid(at + ".endpoint.address.socket_address.address: must not be empty");
                }
                if (sa.getPortValue() <= 0 || sa.getPortValue() > 65535) {
                    throw new Invalid(at + ".endpoint.address.socket_address.port_value: " + sa.getPortValue() + " is not a port");
                }
                int weight = lbe.hasLoadBalancingWeight() ? Math.max(1, lbe.getLoadBalancingWeight().getValue()) : 1;
                String workload = null;
                Struct istio = lbe.getMetadata().getFilterMetadataMap().get("istio");
                if (istio != null && istio.getFieldsMap().containsKey("workload")) {
                    workload = istio.getFieldsMap().get("workload").getStringValue();
                }
                out.add(Endpoint.withWorkloadMetadata(sa.getAddress(), sa.getPortValue(), weight, workload));
            }
        }
        return List.copyOf(out);
    }
}
