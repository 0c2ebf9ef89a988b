package dev.mesh.distributor.translate;

import com.google.protobuf.Struct;
import com.google.protobuf.UInt32Value;
import com.google.protobuf.Value;
import dev.mesh.api.IstioResource;
import dev.mesh.api.networking.Destination;
import dev.mesh.api.networking.DestinationRule;
import dev.mesh.api.networking.HTTPFaultInjection;
import dev.mesh.api.networking.HTTPMatchRequest;
import dev.mesh.api.networking.HTTPMirrorPolicy;
import dev.mesh.api.networking.HTTPRedirect;
import dev.mesh.api.networking.HTTPRetry;
import dev.mesh.api.networking.HTTPRoute;
import dev.mesh.api.networking.HTTPRouteDestination;
import dev.mesh.api.networking.Headers;
import dev.mesh.api.networking.LoadBalancerSettings;
import dev.mesh.api.networking.Percent;
import dev.mesh.api.networking.StringMatch;
import dev.mesh.api.networking.VirtualService;
import dev.mesh.api.xds.ClusterName;
import io.envoyproxy.envoy.config.core.v3.HeaderValue;
import io.envoyproxy.envoy.config.core.v3.HeaderValueOption;
import io.envoyproxy.envoy.config.core.v3.Metadata;
import io.envoyproxy.envoy.config.core.v3.RuntimeFractionalPercent;
import io.envoyproxy.envoy.config.route.v3.DirectResponseAction;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.config.route.v3.QueryParameterMatcher;
import io.envoyproxy.envoy.config.route.v3.RedirectAction;
import io.envoyproxy.envoy.config.route.v3.RetryPolicy;
import io.envoyproxy.envoy.config.route.v3.Route;
import io.envoyproxy.envoy.config.route.v3.RouteAction;
import io.envoyproxy.envoy.config.route.v3.RouteMatch;
import io.envoyproxy.envoy.config.route.v3.WeightedCluster;
import io.envoyproxy.envoy.extensions.filters.common.fault.v3.FaultDelay;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.FaultAbort;
import io.envoyproxy.envoy.extensions.filters.http.fault.v3.HTTPFault;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatchAndSubstitute;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A VirtualService's HTTP routes as Envoy routes, with Istio's semantics: routes in order, the
 * first match wins; one Envoy route per match condition; weighted destinations; rewrite, redirect,
 * direct response, timeout, retries, fault injection, mirroring and header operations. Pure.
 */
public final class RouteTranslator {

    /** Envoy's HTTP filter names, under which per-route configuration is given. */
    public static final String FAULT_FILTER = "envoy.filters.http.fault";

    /**
     * Who the routes are for.
     *
     * @param proxyNamespace the namespace of the proxy (for DestinationRule lookup)
     * @param port           the listener port the routes serve (matches with another port are dropped)
     * @param gateways       the gateways this proxy is ({@code ns/name}), or {@code mesh} for a sidecar
     * @param proxyLabels    the proxy's labels, for {@code sourceLabels}
     */
    public record Context(MeshIndex index, String proxyNamespace, int port, Set<String> gateways,
            Map<String, String> proxyLabels) {
    }

    private RouteTranslator() {
    }

    /** The Envoy routes of {@code vs} for {@code context}, in order. */
    public static List<Route> routes(IstioResource<VirtualService> vs, Context context) {
        List<Route> routes = new ArrayList<>();
        String namespace = vs.metadata().namespace();
        Metadata origin = origin(vs);
        int index = 0;
        for (HTTPRoute http : vs.spec().http()) {
            String name = http.name().isEmpty() ? vs.metadata().name() + "." + namespace + "." + index : http.name();
            index++;
            if (http.match().isEmpty()) {
                routes.add(route(name, RouteMatch.newBuilder().setPrefix("/").build(), http, namespace, context)
                        .setMetadata(origin).build());
                continue;
            }
            for (HTTPMatchRequest match : http.match()) {
                if (!applies(match, namespace, context)) {
                    continue;
                }
                routes.add(route(name, match(match), http, namespace, context).setMetadata(origin).build());
            }
        }
        return routes;
    }

    /**
     * Istio's origin metadata on a route: {@code filter_metadata.istio.config} names the VirtualService it came
     * from, which {@code istioctl proxy-config routes} shows in its VIRTUAL SERVICE column.
     */
    private static Metadata origin(IstioResource<VirtualService> vs) {
        Struct istio = Struct.newBuilder().putFields("config", Value.newBuilder().setStringValue(
                "/apis/networking.istio.io/v1/namespaces/" + vs.metadata().namespace() + "/virtual-service/"
                        + vs.metadata().name()).build()).build();
        return Metadata.newBuilder().putFilterMetadata("istio", istio).build();
    }

    /** The route Istio gives a service without VirtualService: everything to its unsubsetted cluster. */
    public static Route defaultRoute(String cluster) {
        return Route.newBuilder().setName("default")
                .setMatch(RouteMatch.newBuilder().setPrefix("/"))
                .setRoute(RouteAction.newBuilder().setCluster(cluster).setTimeout(Protos.seconds(0))
                        .setRetryPolicy(defaultRetries()))
                .build();
    }

    /** Whether a match condition can match at all for this proxy and port (gateways, port, source labels). */
    private static boolean applies(HTTPMatchRequest match, String namespace, Context context) {
        if (match.port() != 0 && match.port() != context.port()) {
            return false;
        }
        if (!match.gateways().isEmpty() && match.gateways().stream()
                .map(g -> MeshIndex.gatewayKey(g, namespace)).noneMatch(context.gateways()::contains)) {
            return false;
        }
        if (!match.sourceLabels().isEmpty()
                && !context.proxyLabels().entrySet().containsAll(match.sourceLabels().entrySet())) {
            return false;
        }
        return match.sourceNamespace().isEmpty() || match.sourceNamespace().equals(context.proxyNamespace());
    }

    static RouteMatch match(HTTPMatchRequest m) {
        RouteMatch.Builder match = RouteMatch.newBuilder();
        StringMatch uri = m.uri();
        if (uri == null || uri.isEmpty()) {
            match.setPrefix("/");
        } else if (!uri.exact().isEmpty()) {
            match.setPath(uri.exact());
        } else if (!uri.regex().isEmpty()) {
            match.setSafeRegex(regex(uri.regex()));
        } else {
            match.setPrefix(uri.prefix());
        }
        if (m.ignoreUriCase()) {
            match.setCaseSensitive(com.google.protobuf.BoolValue.of(false));
        }
        addHeader(match, ":method", m.method(), false);
        addHeader(match, ":authority", m.authority(), false);
        addHeader(match, ":scheme", m.scheme(), false);
        m.headers().forEach((name, value) -> addHeader(match, name.toLowerCase(), value, false));
        m.withoutHeaders().forEach((name, value) -> addHeader(match, name.toLowerCase(), value, true));
        m.queryParams().forEach((name, value) -> {
            QueryParameterMatcher.Builder q = QueryParameterMatcher.newBuilder().setName(name);
            if (value == null || value.isEmpty()) {
                q.setPresentMatch(true);
            } else {
                q.setStringMatch(stringMatcher(value));
            }
            match.addQueryParameters(q);
        });
        return match.build();
    }

    private static void addHeader(RouteMatch.Builder match, String name, StringMatch value, boolean invert) {
        if (value == null) {
            return;
        }
        HeaderMatcher.Builder header = HeaderMatcher.newBuilder().setName(name).setInvertMatch(invert);
        if (value.isEmpty()) {
            header.setPresentMatch(true);
        } else {
            header.setStringMatch(stringMatcher(value));
        }
        match.addHeaders(header);
    }

    private static StringMatcher stringMatcher(StringMatch value) {
        if (!value.exact().isEmpty()) {
            return StringMatcher.newBuilder().setExact(value.exact()).build();
        }
        if (!value.prefix().isEmpty()) {
            return StringMatcher.newBuilder().setPrefix(value.prefix()).build();
        }
        return StringMatcher.newBuilder().setSafeRegex(regex(value.regex())).build();
    }

    private static RegexMatcher regex(String regex) {
        return RegexMatcher.newBuilder().setGoogleRe2(RegexMatcher.GoogleRE2.getDefaultInstance()).setRegex(regex)
                .build();
    }

    private static Route.Builder route(String name, RouteMatch match, HTTPRoute http, String namespace, Context context) {
        Route.Builder route = Route.newBuilder().setName(name).setMatch(match);
        if (http.redirect() != null) {
            route.setRedirect(redirect(http.redirect(), match));
        } else if (http.directResponse() != null) {
            DirectResponseAction.Builder direct = DirectResponseAction.newBuilder()
                    .setStatus(http.directResponse().status());
            if (http.directResponse().body() != null) {
                var body = http.directResponse().body();
                direct.setBody(body.bytes().isEmpty()
                        ? io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setInlineString(body.string()).build()
                        : io.envoyproxy.envoy.config.core.v3.DataSource.newBuilder().setInlineBytes(
                                com.google.protobuf.ByteString.copyFrom(java.util.Base64.getDecoder().decode(body.bytes())))
                                .build());
            }
            route.setDirectResponse(direct);
        } else {
            route.setRoute(action(http, match, namespace, context));
        }
        if (http.fault() != null) {
            route.putTypedPerFilterConfig(FAULT_FILTER, Protos.any(fault(http.fault())));
        }
        if (http.headers() != null) {
            applyHeaders(route, http.headers());
        }
        return route;
    }

    private static RouteAction action(HTTPRoute http, RouteMatch match, String namespace, Context context) {
        RouteAction.Builder action = RouteAction.newBuilder();
        List<HTTPRouteDestination> destinations = http.route();
        if (destinations.size() == 1) {
            action.setCluster(clusterOf(destinations.get(0).destination(), namespace, context));
        } else {
            WeightedCluster.Builder weighted = WeightedCluster.newBuilder();
            for (HTTPRouteDestination d : destinations) {
                if (d.weight() == 0) {
                    continue; // Istio drops zero-weight destinations
                }
                WeightedCluster.ClusterWeight.Builder cw = WeightedCluster.ClusterWeight.newBuilder()
                        .setName(clusterOf(d.destination(), namespace, context))
                        .setWeight(UInt32Value.of(d.weight()));
                if (d.headers() != null && d.headers().request() != null) {
                    cw.addAllRequestHeadersToAdd(headerOptions(d.headers().request()));
                    cw.addAllRequestHeadersToRemove(d.headers().request().remove());
                }
                if (d.headers() != null && d.headers().response() != null) {
                    cw.addAllResponseHeadersToAdd(headerOptions(d.headers().response()));
                    cw.addAllResponseHeadersToRemove(d.headers().response().remove());
                }
                weighted.addClusters(cw);
            }
            if (weighted.getClustersCount() == 1) {
                action.setCluster(weighted.getClusters(0).getName());
            } else {
                action.setWeightedClusters(weighted);
            }
        }
        action.setTimeout(http.timeout() == null ? Protos.seconds(0) : Protos.duration(http.timeout()));
        action.setRetryPolicy(http.retries() == null ? defaultRetries() : retries(http.retries()));
        if (http.retries() != null && http.retries().attempts() == 0) {
            action.clearRetryPolicy();
        }
        if (http.rewrite() != null) {
            if (!http.rewrite().uri().isEmpty()) {
                if (match.hasPrefix()) {
                    action.setPrefixRewrite(http.rewrite().uri());
                } else {
                    action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder().setPattern(regex(".*"))
                            .setSubstitution(http.rewrite().uri()));
                }
            } else if (http.rewrite().uriRegexRewrite() != null) {
                action.setRegexRewrite(RegexMatchAndSubstitute.newBuilder()
                        .setPattern(regex(http.rewrite().uriRegexRewrite().match()))
                        .setSubstitution(http.rewrite().uriRegexRewrite().rewrite()));
            }
            if (!http.rewrite().authority().isEmpty()) {
                action.setHostRewriteLiteral(http.rewrite().authority());
            }
        }
        for (HTTPMirrorPolicy mirror : mirrors(http)) {
            RouteAction.RequestMirrorPolicy.Builder policy = RouteAction.RequestMirrorPolicy.newBuilder()
                    .setCluster(clusterOf(mirror.destination(), namespace, context));
            if (mirror.percentage() != null) {
                policy.setRuntimeFraction(RuntimeFractionalPercent.newBuilder()
                        .setDefaultValue(Protos.percent(mirror.percentage().value())));
            }
            action.addRequestMirrorPolicies(policy);
        }
        hashPolicy(destinations, namespace, context).ifPresent(action::addHashPolicy);
        return action.build();
    }

    private static List<HTTPMirrorPolicy> mirrors(HTTPRoute http) {
        if (!http.mirrors().isEmpty()) {
            return http.mirrors();
        }
        if (http.mirror() == null) {
            return List.of();
        }
        Percent percent = http.mirrorPercentage() != null ? http.mirrorPercentage()
                : http.mirrorPercent() != null ? new Percent(http.mirrorPercent()) : null;
        return List.of(new HTTPMirrorPolicy(http.mirror(), percent));
    }

    /** The consistent-hash key of the first destination's DestinationRule, if it asks for one. */
    private static Optional<RouteAction.HashPolicy> hashPolicy(List<HTTPRouteDestination> destinations,
            String namespace, Context context) {
        if (destinations.isEmpty()) {
            return Optional.empty();
        }
        String host = context.index().fqdn(destinations.get(0).destination().host(), namespace);
        Optional<IstioResource<DestinationRule>> rule = context.index().destinationRule(host, context.proxyNamespace());
        LoadBalancerSettings lb = rule.map(r -> r.spec().trafficPolicy()).map(p -> p.loadBalancer()).orElse(null);
        if (lb == null || lb.consistentHash() == null) {
            return Optional.empty();
        }
        return Optional.of(hashPolicy(lb.consistentHash()));
    }

    static RouteAction.HashPolicy hashPolicy(LoadBalancerSettings.ConsistentHashLB hash) {
        RouteAction.HashPolicy.Builder policy = RouteAction.HashPolicy.newBuilder();
        if (!hash.httpHeaderName().isEmpty()) {
            policy.setHeader(RouteAction.HashPolicy.Header.newBuilder().setHeaderName(hash.httpHeaderName()));
        } else if (hash.httpCookie() != null) {
            RouteAction.HashPolicy.Cookie.Builder cookie = RouteAction.HashPolicy.Cookie.newBuilder()
                    .setName(hash.httpCookie().name()).setPath(hash.httpCookie().path());
            if (hash.httpCookie().ttl() != null) {
                cookie.setTtl(Protos.duration(hash.httpCookie().ttl()));
            }
            policy.setCookie(cookie);
        } else if (hash.useSourceIp()) {
            policy.setConnectionProperties(RouteAction.HashPolicy.ConnectionProperties.newBuilder().setSourceIp(true));
        } else if (!hash.httpQueryParameterName().isEmpty()) {
            policy.setQueryParameter(RouteAction.HashPolicy.QueryParameter.newBuilder()
                    .setName(hash.httpQueryParameterName()));
        }
        return policy.build();
    }

    /**
     * The cluster a destination names: {@code outbound|<port>|<subset>|<fqdn>}; the port is the
     * destination's, else the service's only port, else the listener's.
     */
    static String clusterOf(Destination destination, String namespace, Context context) {
        String host = context.index().fqdn(destination.host(), namespace);
        int port = destination.port() != null && destination.port().number() != 0 ? destination.port().number() : 0;
        if (port == 0) {
            Optional<MeshService> service = context.index().service(host);
            if (service.isPresent() && service.get().ports().size() == 1) {
                port = service.get().ports().get(0).port();
            } else if (service.isPresent() && service.get().port(context.port()) != null) {
                port = context.port();
            } else if (service.isPresent() && !service.get().ports().isEmpty()) {
                port = service.get().ports().get(0).port();
            } else {
                port = context.port();
            }
        }
        return ClusterName.outbound(port, destination.subset(), host).toString();
    }

    /** Istio's default retry policy for HTTP routes. */
    static RetryPolicy defaultRetries() {
        return RetryPolicy.newBuilder()
                .setRetryOn("connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes")
                .setNumRetries(UInt32Value.of(2))
                .addRetriableStatusCodes(503)
                .setHostSelectionRetryMaxAttempts(5)
                .build();
    }

    static RetryPolicy retries(HTTPRetry retry) {
        RetryPolicy.Builder policy = defaultRetries().toBuilder().setNumRetries(UInt32Value.of(retry.attempts()));
        if (!retry.retryOn().isEmpty()) {
            policy.clearRetriableStatusCodes();
            List<String> conditions = new ArrayList<>();
            for (String condition : retry.retryOn().split(",")) {
                String c = condition.trim();
                if (c.chars().allMatch(Character::isDigit) && !c.isEmpty()) {
                    policy.addRetriableStatusCodes(Integer.parseInt(c));
                    if (!conditions.contains("retriable-status-codes")) {
                        conditions.add("retriable-status-codes");
                    }
                } else if (!c.isEmpty()) {
                    conditions.add(c);
                }
            }
            policy.setRetryOn(String.join(",", conditions));
        }
        if (retry.perTryTimeout() != null) {
            policy.setPerTryTimeout(Protos.duration(retry.perTryTimeout()));
        }
        if (retry.backoff() != null) {
            policy.setRetryBackOff(RetryPolicy.RetryBackOff.newBuilder().setBaseInterval(Protos.duration(retry.backoff())));
        }
        return policy.build();
    }

    static HTTPFault fault(HTTPFaultInjection fault) {
        HTTPFault.Builder out = HTTPFault.newBuilder();
        if (fault.delay() != null && fault.delay().fixedDelay() != null) {
            HTTPFaultInjection.Delay d = fault.delay();
            out.setDelay(FaultDelay.newBuilder().setFixedDelay(Protos.duration(d.fixedDelay()))
                    .setPercentage(Protos.percent(percentOf(d.percentage(), d.percent()))));
        }
        if (fault.abort() != null) {
            HTTPFaultInjection.Abort a = fault.abort();
            FaultAbort.Builder abort = FaultAbort.newBuilder()
                    .setPercentage(Protos.percent(percentOf(a.percentage(), 0)));
            if (a.httpStatus() != 0) {
                abort.setHttpStatus(a.httpStatus());
            } else if (!a.grpcStatus().isEmpty()) {
                abort.setGrpcStatus(grpcCode(a.grpcStatus()));
            }
            out.setAbort(abort);
        }
        return out.build();
    }

    /** Percentage when given; otherwise the legacy integer percent; otherwise 100, as Istio defaults it. */
    private static double percentOf(Percent percentage, int legacyPercent) {
        if (percentage != null) {
            return percentage.value();
        }
        return legacyPercent != 0 ? legacyPercent : 100;
    }

    private static int grpcCode(String status) {
        if (status.chars().allMatch(Character::isDigit)) {
            return Integer.parseInt(status);
        }
        return io.grpc.Status.Code.valueOf(status).value();
    }

    private static RedirectAction redirect(HTTPRedirect r, RouteMatch match) {
        RedirectAction.Builder redirect = RedirectAction.newBuilder();
        if (!r.uri().isEmpty()) {
            if (match.hasPrefix() && !match.getPrefix().equals("/")) {
                redirect.setPrefixRewrite(r.uri());
            } else {
                redirect.setPathRedirect(r.uri());
            }
        }
        if (!r.authority().isEmpty()) {
            redirect.setHostRedirect(r.authority());
        }
        if (r.port() != 0) {
            redirect.setPortRedirect(r.port());
        }
        if (!r.scheme().isEmpty()) {
            redirect.setSchemeRedirect(r.scheme());
        }
        redirect.setResponseCode(switch (r.redirectCode()) {
            case 302 -> RedirectAction.RedirectResponseCode.FOUND;
            case 303 -> RedirectAction.RedirectResponseCode.SEE_OTHER;
            case 307 -> RedirectAction.RedirectResponseCode.TEMPORARY_REDIRECT;
            case 308 -> RedirectAction.RedirectResponseCode.PERMANENT_REDIRECT;
            default -> RedirectAction.RedirectResponseCode.MOVED_PERMANENTLY;
        });
        return redirect.build();
    }

    private static void applyHeaders(Route.Builder route, Headers headers) {
        if (headers.request() != null) {
            route.addAllRequestHeadersToAdd(headerOptions(headers.request()));
            route.addAllRequestHeadersToRemove(headers.request().remove());
        }
        if (headers.response() != null) {
            route.addAllResponseHeadersToAdd(headerOptions(headers.response()));
            route.addAllResponseHeadersToRemove(headers.response().remove());
        }
    }

    private static List<HeaderValueOption> headerOptions(Headers.HeaderOperations ops) {
        List<HeaderValueOption> options = new ArrayList<>();
        ops.set().forEach((k, v) -> options.add(HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.OVERWRITE_IF_EXISTS_OR_ADD).build()));
        ops.add().forEach((k, v) -> options.add(HeaderValueOption.newBuilder()
                .setHeader(HeaderValue.newBuilder().setKey(k).setValue(v))
                .setAppendAction(HeaderValueOption.HeaderAppendAction.APPEND_IF_EXISTS_OR_ADD).build()));
        return options;
    }
}
