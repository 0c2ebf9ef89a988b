package dev.mesh.proxy.rbac;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The RBAC filters of one inbound filter chain, in their order. Istio puts the DENY filter before the ALLOW one,
 * so deny wins; a request any filter refuses gets 403 {@code RBAC: access denied}, as from Envoy.
 */
public final class InboundAuthorization {

    public static final String HTTP_FILTER = "envoy.filters.http.rbac";
    public static final String NETWORK_FILTER = "envoy.filters.network.rbac";
    public static final int DENIED_STATUS = 403;
    public static final String DENIED_BODY = "RBAC: access denied";

    /** A refusal: which filter's action refused and, for a DENY, which policy matched. */
    public record Denial(String filter, String reason) {
    }

    private record Filter(String name, RbacEngine engine) {
    }

    public static final InboundAuthorization NONE = new InboundAuthorization(List.of());

    private final List<Filter> filters;

    private InboundAuthorization(List<Filter> filters) {
        this.filters = List.copyOf(filters);
    }

    /**
     * From HTTP filters' typed configs ({@code extensions.filters.http.rbac.v3.RBAC}); filters with no rules let
     * everything through, as in Envoy.
     *
     * @param rbacFilters the filter name and its config, in chain order
     */
    public static InboundAuthorization fromHttpFilters(List<java.util.Map.Entry<String, Any>> rbacFilters, String at) {
        List<Filter> filters = new ArrayList<>();
        for (var entry : rbacFilters) {
            String where = at + " filter " + entry.getKey();
            try {
                var config = entry.getValue()
                        .unpack(io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.class);
                if (config.hasRules()) {
                    filters.add(new Filter(entry.getKey(), RbacEngine.compile(config.getRules(), where)));
                }
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException(where + ": not an HTTP RBAC config: " + e.getMessage(), e);
            }
        }
        return new InboundAuthorization(filters);
    }

    /** From network filters' typed configs ({@code extensions.filters.network.rbac.v3.RBAC}), for TCP chains. */
    public static InboundAuthorization fromNetworkFilters(List<java.util.Map.Entry<String, Any>> rbacFilters,
            String at) {
        List<Filter> filters = new ArrayList<>();
        for (var entry : rbacFilters) {
            String where = at + " filter " + entry.getKey();
            try {
                var config = entry.getValue()
                        .unpack(io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.class);
                if (config.hasRules()) {
                    filters.add(new Filter(entry.getKey(), RbacEngine.compile(config.getRules(), where)));
                }
            } catch (InvalidProtocolBufferException e) {
                throw new IllegalArgumentException(where + ": not a network RBAC config: " + e.getMessage(), e);
            }
        }
        return new InboundAuthorization(filters);
    }

    /** For tests and callers that compiled the engines themselves. */
    public static InboundAuthorization of(List<RbacEngine> engines) {
        List<Filter> filters = new ArrayList<>();
        for (int i = 0; i < engines.size(); i++) {
            filters.add(new Filter("rbac-" + i, engines.get(i)));
        }
        return new InboundAuthorization(filters);
    }

    public boolean isEmpty() {
        return filters.isEmpty();
    }

    /** Empty when the request may pass. */
    public Optional<Denial> check(RequestView request) {
        for (Filter filter : filters) {
            RbacEngine.Decision decision = filter.engine().decide(request);
            if (!decision.allowed()) {
                String reason = decision.matchedPolicy().map(p -> "DENY policy " + p + " matched")
                        .orElse("no ALLOW policy matched");
                return Optional.of(new Denial(filter.name(), reason));
            }
        }
        return Optional.empty();
    }
}
