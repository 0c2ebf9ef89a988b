package dev.mesh.distributor.translate;

import com.google.protobuf.UInt32Value;
import dev.mesh.api.IstioResource;
import dev.mesh.api.security.AuthorizationPolicy;
import dev.mesh.api.security.AuthorizationPolicy.Action;
import dev.mesh.api.security.Condition;
import dev.mesh.api.security.Operation;
import dev.mesh.api.security.Rule;
import dev.mesh.api.security.Source;
import io.envoyproxy.envoy.config.core.v3.CidrRange;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.rbac.v3.Permission;
import io.envoyproxy.envoy.config.rbac.v3.Policy;
import io.envoyproxy.envoy.config.rbac.v3.Principal;
import io.envoyproxy.envoy.config.rbac.v3.RBAC;
import io.envoyproxy.envoy.config.route.v3.HeaderMatcher;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter;
import io.envoyproxy.envoy.type.matcher.v3.PathMatcher;
import io.envoyproxy.envoy.type.matcher.v3.RegexMatcher;
import io.envoyproxy.envoy.type.matcher.v3.StringMatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * AuthorizationPolicy → Envoy RBAC, as Istio translates it for a sidecar's inbound side. The DENY
 * policies of a workload become one RBAC filter with action DENY, placed before the ALLOW one; the
 * ALLOW policies one RBAC filter with action ALLOW and one Envoy policy per rule, named
 * {@code ns[<ns>]-policy[<name>]-rule[<i>]}. An ALLOW policy without rules adds no Envoy policy
 * but still puts the ALLOW filter in place, so nothing matches and every request is denied. AUDIT
 * and CUSTOM policies are not enforced here (logged once).
 *
 * <p>Within a rule: any {@code from} (a {@link Principal} each, its fields AND-ed, each field's
 * values OR-ed, the {@code not*} fields negated) and any {@code to} (a {@link Permission} each,
 * likewise), and every {@code when} added to each side it concerns. TCP ports get the network
 * RBAC filter from the same policies, HTTP-only attributes handled as Istio: an ALLOW rule that
 * needs one is dropped (it could never match), a DENY rule keeps only its TCP attributes (it
 * denies more, never less).
 *
 * <p>Request principals and {@code request.auth.*}: this mesh has no RequestAuthentication, so a
 * request never carries a JWT principal; those values never match (and their {@code not*} forms
 * always do).
 */
public final class AuthorizationTranslator {

    public static final String HTTP_RBAC = "envoy.filters.http.rbac";
    public static final String NETWORK_RBAC = "envoy.filters.network.rbac";

    private static final Logger LOG = Logger.getLogger(AuthorizationTranslator.class);
    private static final Principal ANY_PRINCIPAL = Principal.newBuilder().setAny(true).build();
    private static final Permission ANY_PERMISSION = Permission.newBuilder().setAny(true).build();
    private static final Principal NO_PRINCIPAL = Principal.newBuilder().setNotId(ANY_PRINCIPAL).build();

    private final MeshTls tls;
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    public AuthorizationTranslator(MeshTls tls) {
        this.tls = tls;
    }

    /** The HTTP RBAC filters of a workload's inbound HCM, DENY before ALLOW; empty when no policy applies. */
    public List<HttpFilter> httpFilters(MeshIndex index, String namespace, java.util.Map<String, String> labels) {
        List<HttpFilter> filters = new ArrayList<>();
        for (RBAC rules : rules(index, namespace, labels, false)) {
            filters.add(HttpFilter.newBuilder().setName(HTTP_RBAC).setTypedConfig(Protos.any(
                    io.envoyproxy.envoy.extensions.filters.http.rbac.v3.RBAC.newBuilder().setRules(rules).build()))
                    .build());
        }
        return filters;
    }

    /** The network RBAC filters of a workload's inbound TCP chains, DENY before ALLOW. */
    public List<Filter> networkFilters(MeshIndex index, String namespace, java.util.Map<String, String> labels) {
        List<Filter> filters = new ArrayList<>();
        for (RBAC rules : rules(index, namespace, labels, true)) {
            filters.add(Filter.newBuilder().setName(NETWORK_RBAC).setTypedConfig(Protos.any(
                    io.envoyproxy.envoy.extensions.filters.network.rbac.v3.RBAC.newBuilder()
                            .setStatPrefix("tcp.").setRules(rules).build()))
                    .build());
        }
        return filters;
    }

    private List<RBAC> rules(MeshIndex index, String namespace, java.util.Map<String, String> labels, boolean tcp) {
        return index.memo(List.of("rbac", namespace, labels, tcp), () -> {
            RBAC.Builder deny = RBAC.newBuilder().setAction(RBAC.Action.DENY);
            RBAC.Builder allow = RBAC.newBuilder().setAction(RBAC.Action.ALLOW);
            boolean anyDeny = false;
            boolean anyAllow = false;
            for (IstioResource<AuthorizationPolicy> ap : index.authorizationPolicies(namespace, labels)) {
                Action action = ap.spec().action();
                if (action == Action.AUDIT || action == Action.CUSTOM) {
                    if (warned.add(ap.metadata().namespace() + "/" + ap.metadata().name() + "/" + action)) {
                        LOG.warnf("AuthorizationPolicy %s/%s: action %s is not supported; the policy is not enforced",
                                ap.metadata().namespace(), ap.metadata().name(), action);
                    }
                    continue;
                }
                RBAC.Builder target = action == Action.DENY ? deny : allow;
                if (action == Action.DENY) {
                    anyDeny = true;
                } else {
                    anyAllow = true;
                }
                List<Rule> rules = ap.spec().rules();
                for (int i = 0; i < rules.size(); i++) {
                    String name = "ns[" + ap.metadata().namespace() + "]-policy[" + ap.metadata().name() + "]-rule["
                            + i + "]";
                    policy(rules.get(i), ap.metadata().namespace(), action, tcp).ifPresent(p -> target.putPolicies(name, p));
                }
            }
            List<RBAC> out = new ArrayList<>();
            if (anyDeny) {
                out.add(deny.build());
            }
            if (anyAllow) {
                out.add(allow.build());
            }
            return out;
        });
    }

    /** One rule as an Envoy policy; empty when it can never match (an ALLOW rule needing HTTP on TCP). */
    private Optional<Policy> policy(Rule rule, String namespace, Action action, boolean tcp) {
        Side side = new Side(tcp, action == Action.DENY);
        List<Permission> whenPermissions = new ArrayList<>();
        List<Principal> whenPrincipals = new ArrayList<>();
        for (Condition c : rule.when()) {
            condition(c, namespace, side, whenPermissions, whenPrincipals);
        }
        List<Principal> principals = new ArrayList<>();
        for (Rule.From from : rule.from()) {
            List<Principal> fields = source(from.source(), namespace, side);
            fields.addAll(whenPrincipals);
            principals.add(andIds(fields));
        }
        if (rule.from().isEmpty()) {
            principals.add(andIds(new ArrayList<>(whenPrincipals)));
        }
        List<Permission> permissions = new ArrayList<>();
        for (Rule.To to : rule.to()) {
            List<Permission> fields = operation(to.operation(), side);
            fields.addAll(whenPermissions);
            permissions.add(andRules(fields));
        }
        if (rule.to().isEmpty()) {
            permissions.add(andRules(new ArrayList<>(whenPermissions)));
        }
        if (side.neverMatches) {
            return Optional.empty();
        }
        return Optional.of(Policy.newBuilder().addAllPermissions(permissions).addAllPrincipals(principals).build());
    }

    /** Whether the rule is for TCP and a DENY rule, and whether it turned out to need something TCP lacks. */
    private static final class Side {
        final boolean tcp;
        final boolean deny;
        boolean neverMatches;

        Side(boolean tcp, boolean deny) {
            this.tcp = tcp;
            this.deny = deny;
        }

        /** An HTTP-only attribute on a TCP chain: an ALLOW rule cannot match; a DENY rule ignores it. */
        boolean skipsHttpOnly() {
            if (tcp && !deny) {
                neverMatches = true;
            }
            return tcp;
        }
    }

    private List<Principal> source(Source s, String namespace, Side side) {
        List<Principal> fields = new ArrayList<>();
        addIds(fields, s.principals(), s.notPrincipals(), this::principal);
        addIds(fields, s.namespaces(), s.notNamespaces(), AuthorizationTranslator::namespace);
        addIds(fields, s.serviceAccounts(), s.notServiceAccounts(), sa -> serviceAccount(sa, namespace));
        addIds(fields, s.ipBlocks(), s.notIpBlocks(), ip -> Principal.newBuilder().setDirectRemoteIp(cidr(ip)).build());
        addIds(fields, s.remoteIpBlocks(), s.notRemoteIpBlocks(),
                ip -> Principal.newBuilder().setRemoteIp(cidr(ip)).build());
        if (!s.requestPrincipals().isEmpty() && !side.skipsHttpOnly()) {
            fields.add(NO_PRINCIPAL); // no request ever has a JWT principal here
        }
        return fields;
    }

    private static List<Permission> operation(Operation o, Side side) {
        List<Permission> fields = new ArrayList<>();
        addRules(fields, o.ports(), o.notPorts(), p -> Permission.newBuilder().setDestinationPort(Integer.parseInt(p))
                .build());
        boolean http = !(o.hosts().isEmpty() && o.notHosts().isEmpty() && o.methods().isEmpty()
                && o.notMethods().isEmpty() && o.paths().isEmpty() && o.notPaths().isEmpty());
        if (http && side.skipsHttpOnly()) {
            return fields;
        }
        addRules(fields, o.hosts(), o.notHosts(), h -> Permission.newBuilder().setHeader(header(":authority", h, true))
                .build());
        addRules(fields, o.methods(), o.notMethods(), m -> Permission.newBuilder().setHeader(HeaderMatcher.newBuilder()
                .setName(":method").setStringMatch(StringMatcher.newBuilder().setExact(m))).build());
        addRules(fields, o.paths(), o.notPaths(), AuthorizationTranslator::path);
        return fields;
    }

    private void condition(Condition c, String namespace, Side side, List<Permission> permissions,
            List<Principal> principals) {
        String key = c.key();
        if (key.startsWith("request.headers[")) {
            if (!side.skipsHttpOnly()) {
                String name = key.substring("request.headers[".length(), key.length() - 1);
                addIds(principals, c.values(), c.notValues(),
                        v -> Principal.newBuilder().setHeader(header(name, v, false)).build());
            }
            return;
        }
        switch (key) {
            case "source.ip" -> addIds(principals, c.values(), c.notValues(),
                    ip -> Principal.newBuilder().setDirectRemoteIp(cidr(ip)).build());
            case "remote.ip" -> addIds(principals, c.values(), c.notValues(),
                    ip -> Principal.newBuilder().setRemoteIp(cidr(ip)).build());
            case "source.namespace" -> addIds(principals, c.values(), c.notValues(), AuthorizationTranslator::namespace);
            case "source.principal" -> addIds(principals, c.values(), c.notValues(), this::principal);
            case "source.serviceAccount" -> addIds(principals, c.values(), c.notValues(),
                    sa -> serviceAccount(sa, namespace));
            case "destination.ip" -> addRules(permissions, c.values(), c.notValues(),
                    ip -> Permission.newBuilder().setDestinationIp(cidr(ip)).build());
            case "destination.port" -> addRules(permissions, c.values(), c.notValues(),
                    p -> Permission.newBuilder().setDestinationPort(Integer.parseInt(p)).build());
            case "connection.sni" -> addRules(permissions, c.values(), c.notValues(),
                    sni -> Permission.newBuilder().setRequestedServerName(string(sni, false)).build());
            default -> {
                if (side.skipsHttpOnly()) {
                    return;
                }
                if (key.startsWith("request.auth.")) {
                    // no JWT here: its values never match, its notValues always do
                    if (!c.values().isEmpty()) {
                        principals.add(NO_PRINCIPAL);
                    }
                } else if (!side.deny) {
                    // experimental.* is not evaluated: an ALLOW rule that needs it cannot match; a DENY
                    // rule simply goes without it (it denies more, never less)
                    principals.add(NO_PRINCIPAL);
                }
            }
        }
    }

    // ---- values ----

    /** A principal as written ({@code cluster.local/ns/x/sa/y}, {@code *}, prefix or suffix {@code *}). */
    private Principal principal(String value) {
        StringMatcher.Builder m = StringMatcher.newBuilder();
        if (value.equals("*")) {
            m.setSafeRegex(RegexMatcher.newBuilder().setRegex(".+"));
        } else if (value.endsWith("*")) {
            m.setPrefix("spiffe://" + value.substring(0, value.length() - 1));
        } else if (value.startsWith("*")) {
            m.setSuffix(value.substring(1));
        } else {
            m.setExact("spiffe://" + value);
        }
        return authenticated(m);
    }

    /** The peer's namespace, as Istio: a regular expression on its SPIFFE id. */
    private static Principal namespace(String ns) {
        String pattern = wildcardRegex(ns);
        return authenticated(StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder()
                .setRegex(".*/ns/" + pattern + "/.*")));
    }

    private Principal serviceAccount(String value, String namespace) {
        String path = value.contains("/") ? value : namespace + "/" + value;
        int slash = path.indexOf('/');
        return authenticated(StringMatcher.newBuilder()
                .setExact(tls.spiffe("ns/" + path.substring(0, slash) + "/sa/" + path.substring(slash + 1))));
    }

    private static Principal authenticated(StringMatcher.Builder name) {
        return Principal.newBuilder().setAuthenticated(Principal.Authenticated.newBuilder().setPrincipalName(name))
                .build();
    }

    /** {@code *} at either end of a value as {@code .*}, the rest literal. */
    private static String wildcardRegex(String value) {
        if (value.equals("*")) {
            return ".*";
        }
        String prefix = value.startsWith("*") ? ".*" : "";
        String suffix = value.endsWith("*") && value.length() > 1 ? ".*" : "";
        String literal = value.substring(prefix.isEmpty() ? 0 : 1, value.length() - (suffix.isEmpty() ? 0 : 1));
        return prefix + quote(literal) + suffix;
    }

    /** A literal inside a regular expression (RE2 and Java agree on backslash escapes). */
    private static String quote(String literal) {
        StringBuilder out = new StringBuilder();
        for (char c : literal.toCharArray()) {
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                out.append('\\');
            }
            out.append(c);
        }
        return out.toString();
    }

    /** Exact, prefix ({@code x*}), suffix ({@code *x}) or any ({@code *}). */
    private static StringMatcher string(String value, boolean ignoreCase) {
        StringMatcher.Builder m = StringMatcher.newBuilder().setIgnoreCase(ignoreCase);
        if (value.equals("*")) {
            m.setSafeRegex(RegexMatcher.newBuilder().setRegex(".*"));
        } else if (value.endsWith("*")) {
            m.setPrefix(value.substring(0, value.length() - 1));
        } else if (value.startsWith("*")) {
            m.setSuffix(value.substring(1));
        } else {
            m.setExact(value);
        }
        return m.build();
    }

    private static HeaderMatcher header(String name, String value, boolean ignoreCase) {
        HeaderMatcher.Builder h = HeaderMatcher.newBuilder().setName(name);
        return value.equals("*") ? h.setPresentMatch(true).build() : h.setStringMatch(string(value, ignoreCase)).build();
    }

    /** A path: exact, {@code *} at either end, {@code *} alone, or the templates {@code {*}} and {@code {**}}. */
    private static Permission path(String value) {
        if (value.equals("*")) {
            return ANY_PERMISSION;
        }
        StringMatcher matcher;
        if (value.contains("{*}") || value.contains("{**}")) {
            StringBuilder regex = new StringBuilder();
            for (String part : value.split("(?=\\{\\*\\*?\\})|(?<=\\})")) {
                regex.append(switch (part) {
                    case "{*}" -> "[^/]+";
                    case "{**}" -> ".*";
                    default -> quote(part);
                });
            }
            matcher = StringMatcher.newBuilder().setSafeRegex(RegexMatcher.newBuilder().setRegex(regex.toString()))
                    .build();
        } else {
            matcher = string(value, false);
        }
        return Permission.newBuilder().setUrlPath(PathMatcher.newBuilder().setPath(matcher)).build();
    }

    /** An IP address or CIDR block ({@code 10.0.0.0/8}, {@code 192.0.2.7}, {@code 2001:db8::/32}). */
    static CidrRange cidr(String block) {
        int slash = block.indexOf('/');
        String address = slash < 0 ? block : block.substring(0, slash);
        int length = slash < 0 ? (address.contains(":") ? 128 : 32) : Integer.parseInt(block.substring(slash + 1));
        return CidrRange.newBuilder().setAddressPrefix(address.toLowerCase(Locale.ROOT))
                .setPrefixLen(UInt32Value.of(length)).build();
    }

    // ---- sets ----

    private static void addIds(List<Principal> fields, List<String> values, List<String> notValues,
            Function<String, Principal> one) {
        if (!values.isEmpty()) {
            fields.add(orIds(values.stream().map(one).toList()));
        }
        if (!notValues.isEmpty()) {
            fields.add(Principal.newBuilder().setNotId(orIds(notValues.stream().map(one).toList())).build());
        }
    }

    private static void addRules(List<Permission> fields, List<String> values, List<String> notValues,
            Function<String, Permission> one) {
        if (!values.isEmpty()) {
            fields.add(orRules(values.stream().map(one).toList()));
        }
        if (!notValues.isEmpty()) {
            fields.add(Permission.newBuilder().setNotRule(orRules(notValues.stream().map(one).toList())).build());
        }
    }

    private static Principal orIds(List<Principal> ids) {
        return Principal.newBuilder().setOrIds(Principal.Set.newBuilder().addAllIds(ids)).build();
    }

    private static Principal andIds(List<Principal> ids) {
        return ids.isEmpty() ? ANY_PRINCIPAL : Principal.newBuilder().setAndIds(Principal.Set.newBuilder().addAllIds(ids))
                .build();
    }

    private static Permission orRules(List<Permission> rules) {
        return Permission.newBuilder().setOrRules(Permission.Set.newBuilder().addAllRules(rules)).build();
    }

    private static Permission andRules(List<Permission> rules) {
        return rules.isEmpty() ? ANY_PERMISSION
                : Permission.newBuilder().setAndRules(Permission.Set.newBuilder().addAllRules(rules)).build();
    }
}
