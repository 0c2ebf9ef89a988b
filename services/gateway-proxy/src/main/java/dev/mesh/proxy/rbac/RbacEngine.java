package dev.mesh.proxy.rbac;

import dev.mesh.proxy.model.StringMatcher;
import dev.mesh.proxy.tls.StringMatchers;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * One Envoy RBAC rule set ({@code config.rbac.v3.RBAC}) compiled to predicates: a policy matches when any of its
 * permissions and any of its principals match. ALLOW lets a request through only when a policy matches, DENY
 * only when none does, LOG always. Pure: no I/O, no state.
 */
public final class RbacEngine {

    /** The outcome for one request. */
    public record Decision(boolean allowed, Optional<String> matchedPolicy) {
    }

    private record CompiledPolicy(String name, Predicate<RequestView> permissions, Predicate<RequestView> principals) {
    }

    private final RBAC.Action action;
    private final List<CompiledPolicy> policies;

    private RbacEngine(RBAC.Action action, List<CompiledPolicy> policies) {
        this.action = action;
        this.policies = policies;
    }

    /**
     * @param at names the filter in errors (listener and filter name)
     * @throws IllegalArgumentException naming every policy with an unsupported or invalid rule
     */
    public static RbacEngine compile(RBAC rules, String at) {
        if (rules.getAction() == RBAC.Action.UNRECOGNIZED) {
            throw new IllegalArgumentException(at + ": RBAC action is not known");
        }
        List<CompiledPolicy> policies = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        // Envoy's map has no order; sorted names make the reported policy deterministic.
        for (Map.Entry<String, Policy> entry : new TreeMap<>(rules.getPoliciesMap()).entrySet()) {
            String where = at + " policy " + entry.getKey();
            try {
                Policy policy = entry.getValue();
                if (policy.hasCondition() || policy.hasCheckedCondition()) {
                    throw new IllegalArgumentException(where + ": CEL conditions are not supported");
                }
                policies.add(new CompiledPolicy(entry.getKey(),
                        any(policy.getPermissionsList().stream().map(p -> permission(p, where)).toList()),
                        any(policy.getPrincipalsList().stream().map(p -> principal(p, where)).toList())));
            } catch (IllegalArgumentException e) {
                errors.add(e.getMessage());
            }
        }
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
        return new RbacEngine(rules.getAction(), List.copyOf(policies));
    }

    public RBAC.Action action() {
        return action;
    }

    /** The first policy (by name) that matches. */
    public Optional<String> firstMatch(RequestView request) {
        for (CompiledPolicy policy : policies) {
            if (policy.permissions().test(request) && policy.principals().test(request)) {
                return Optional.of(policy.name());
            }
        }
        return Optional.empty();
    }

    public Decision decide(RequestView request) {
        Optional<String> match = firstMatch(request);
        return switch (action) {
            case ALLOW -> new Decision(match.isPresent(), match);
            case DENY -> new Decision(match.isEmpty(), match);
            default -> new Decision(true, match);
        };
    }

    private static Predicate<RequestView> any(List<Predicate<RequestView>> rules) {
        return r -> {
            for (Predicate<RequestView> rule : rules) {
                if (rule.test(r)) {
                    return true;
                }
            }
            return false;
        };
    }

    private static Predicate<RequestView> all(List<Predicate<RequestView>> rules) {
        return r -> {
            for (Predicate<RequestView> rule : rules) {
                if (!rule.test(r)) {
                    return false;
                }
            }
            return true;
        };
    }

    static Predicate<RequestView> permission(Permission p, String at) {
        return switch (p.getRuleCase()) {
            case ANY -> r -> p.getAny();
            case AND_RULES -> all(p.getAndRules().getRulesList().stream().map(x -> permission(x, at)).toList());
            case OR_RULES -> any(p.getOrRules().getRulesList().stream().map(x -> permission(x, at)).toList());
            case NOT_RULE -> permission(p.getNotRule(), at).negate();
            case HEADER -> header(p.getHeader(), at);
            case URL_PATH -> urlPath(p.getUrlPath(), at);
            case DESTINATION_PORT -> {
                int port = p.getDestinationPort();
                yield r -> r.destinationPort() == port;
            }
            case DESTINATION_PORT_RANGE -> {
                long start = p.getDestinationPortRange().getStart();
                long end = p.getDestinationPortRange().getEnd();
                yield r -> r.destinationPort() >= start && r.destinationPort() < end;
            }
            case DESTINATION_IP -> {
                CidrMatch cidr = CidrMatch.of(p.getDestinationIp(), at);
                yield r -> cidr.contains(r.destinationIp());
            }
            case REQUESTED_SERVER_NAME -> {
                StringMatcher m = StringMatchers.compile(p.getRequestedServerName(), at);
                yield r -> m.matches(r.requestedServerName());
            }
            default -> throw new IllegalArgumentException(at + ": permission " + p.getRuleCase() + " is not supported");
        };
    }

    static Predicate<RequestView> principal(Principal p, String at) {
        return switch (p.getIdentifierCase()) {
            case ANY -> r -> p.getAny();
            case AND_IDS -> all(p.getAndIds().getIdsList().stream().map(x -> principal(x, at)).toList());
            case OR_IDS -> any(p.getOrIds().getIdsList().stream().map(x -> principal(x, at)).toList());
            case NOT_ID -> principal(p.getNotId(), at).negate();
            case AUTHENTICATED -> {
                if (!p.getAuthenticated().hasPrincipalName()) {
                    yield r -> r.peerPrincipal().isPresent();
                }
                StringMatcher m = StringMatchers.compile(p.getAuthenticated().getPrincipalName(), at);
                yield r -> r.peerPrincipal().map(m::matches).orElse(false);
            }
            case DIRECT_REMOTE_IP -> {
                CidrMatch cidr = CidrMatch.of(p.getDirectRemoteIp(), at);
                yield r -> cidr.contains(r.directRemoteIp());
            }
            case SOURCE_IP -> {
                CidrMatch cidr = CidrMatch.of(p.getSourceIp(), at);
                yield r -> cidr.contains(r.directRemoteIp());
            }
            case REMOTE_IP -> {
                CidrMatch cidr = CidrMatch.of(p.getRemoteIp(), at);
                yield r -> cidr.contains(r.remoteIp());
            }
            case HEADER -> header(p.getHeader(), at);
            case URL_PATH -> urlPath(p.getUrlPath(), at);
            default -> throw new IllegalArgumentException(at + ": principal " + p.getIdentifierCase() + " is not supported");
        };
    }

    private static Predicate<RequestView> urlPath(io.envoyproxy.envoy.type.matcher.v3.PathMatcher path, String at) {
        if (!path.hasPath()) {
            throw new IllegalArgumentException(at + ": url_path without a path matcher");
        }
        StringMatcher m = StringMatchers.compile(path.getPath(), at);
        return r -> {
            String p = r.pathWithoutQuery();
            return p != null && m.matches(p);
        };
    }

    /** Envoy's header match, including its rule that a missing header only ever matches a presence check. */
    static Predicate<RequestView> header(HeaderMatcher h, String at) {
        String name = h.getName();
        boolean invert = h.getInvertMatch();
        if (h.getHeaderMatchSpecifierCase() == HeaderMatcher.HeaderMatchSpecifierCase.PRESENT_MATCH) {
            boolean present = h.getPresentMatch();
            return r -> (r.header(name) != null) == present != invert;
        }
        StringMatcher m = switch (h.getHeaderMatchSpecifierCase()) {
            case STRING_MATCH -> StringMatchers.compile(h.getStringMatch(), at + " header " + name);
            case EXACT_MATCH -> new StringMatcher(StringMatcher.Kind.EXACT, h.getExactMatch(), null, false);
            case PREFIX_MATCH -> new StringMatcher(StringMatcher.Kind.PREFIX, h.getPrefixMatch(), null, false);
            case SUFFIX_MATCH -> new StringMatcher(StringMatcher.Kind.SUFFIX, h.getSuffixMatch(), null, false);
            case CONTAINS_MATCH -> new StringMatcher(StringMatcher.Kind.CONTAINS, h.getContainsMatch(), null, false);
            case SAFE_REGEX_MATCH -> StringMatchers.compile(io.envoyproxy.envoy.type.matcher.v3.StringMatcher.newBuilder()
                    .setSafeRegex(h.getSafeRegexMatch()).build(), at + " header " + name);
            default -> throw new IllegalArgumentException(at + ": header matcher " + h.getHeaderMatchSpecifierCase()
                    + " on " + name + " is not supported");
        };
        boolean missingAsEmpty = h.getTreatMissingHeaderAsEmpty();
        return r -> {
            String value = r.header(name);
            if (value == null) {
                if (!missingAsEmpty) {
                    return false;
                }
                value = "";
            }
            return m.matches(value) != invert;
        };
    }
}
