package dev.mesh.api;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Checks shared by several kinds, with the rules Istio's validation applies
 * ({@code pkg/config/validation} and {@code pkg/config/validation/agent} in istio/istio).
 *
 * <p>The {@code check*} methods that take a {@link Node} report against {@code node.pathOf(field)}, so
 * {@code field} may carry an index or a key ({@code hosts[2]}, {@code labels.app}).
 */
public final class Validation {

    private static final Pattern DNS1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final int DNS1123_LABEL_MAX = 63;
    private static final int DNS1123_SUBDOMAIN_MAX = 253;
    private static final int DOMAIN_MAX = 255;
    /** Kubernetes label values and the name part of label keys. */
    private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
    private static final Pattern HEADER_NAME = Pattern.compile("[-_A-Za-z0-9]+");
    private static final Pattern IPV4 = Pattern.compile("(0|[1-9][0-9]{0,2})(\\.(0|[1-9][0-9]{0,2})){3}");
    /** Header routing on JWT claims, which Istio accepts in place of a header name. */
    public static final String JWT_CLAIM_PREFIX = "@request.auth.claims.";
    /** Envoy refuses regexes whose RE2 program is too large; Istio approximates with the length. */
    private static final int REGEX_MAX_LENGTH = 1024;
    public static final String UNIX_ADDRESS_PREFIX = "unix://";

    private static final Set<String> PROTOCOLS = Set.of("TCP", "UDP", "GRPC", "GRPC-WEB", "HTTP", "HTTP_PROXY",
            "HTTP2", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL");

    private Validation() {
    }

    // ---- names -------------------------------------------------------------------------------

    /** A Kubernetes object name: a DNS-1123 subdomain (lower case, digits, '-', '.'; at most 253). */
    public static void checkDnsSubdomain(Problems problems, String path, String value) {
        if (!isDnsSubdomain(value)) {
            problems.error(path, value.length() > DNS1123_SUBDOMAIN_MAX
                    ? "\"" + value + "\" is longer than " + DNS1123_SUBDOMAIN_MAX + " characters"
                    : "\"" + value + "\" is not a valid DNS-1123 subdomain: lower-case letters,"
                            + " digits, '-' and '.', starting and ending with a letter or digit");
        }
    }

    public static boolean isDnsSubdomain(String value) {
        if (value.isEmpty() || value.length() > DNS1123_SUBDOMAIN_MAX) {
            return false;
        }
        for (String label : value.split("\\.", -1)) {
            if (!DNS1123_LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    /** A DNS-1123 label: lower-case letters, digits and '-', at most 63, as in a port or subset name. */
    public static boolean isDnsLabel(String value) {
        return value.length() <= DNS1123_LABEL_MAX && DNS1123_LABEL.matcher(value).matches();
    }

    /** {@code what} names the value in the message, for instance "subset name" or "namespace". */
    public static void checkDnsLabel(Node node, String field, String value, String what) {
        if (!isDnsLabel(value)) {
            node.error(field, "invalid " + what + " \"" + value + "\": must be a DNS-1123 label (at most 63"
                    + " lower-case letters, digits and '-', starting and ending with a letter or digit)");
        }
    }

    // ---- ports and protocols -----------------------------------------------------------------

    public static void checkPort(Problems problems, String path, Long port) {
        if (port != null && (port < 1 || port > 65535)) {
            problems.error(path, "port number " + port + " must be in the range 1..65535");
        }
    }

    public static void checkPort(Node node, String field, long port) {
        if (port < 1 || port > 65535) {
            node.error(field, "port number " + port + " must be in the range 1..65535");
        }
    }

    /** A port name as Istio requires it wherever one is given: a DNS-1123 label. */
    public static void checkPortName(Node node, String field, String name) {
        checkDnsLabel(node, field, name, "port name");
    }

    /** Whether Istio knows the protocol (case-insensitive, as Istio parses it). */
    public static boolean isKnownProtocol(String protocol) {
        return PROTOCOLS.contains(protocol.toUpperCase(Locale.ROOT));
    }

    public static boolean isHttpProtocol(String protocol) {
        return switch (protocol.toUpperCase(Locale.ROOT)) {
            case "HTTP", "HTTP2", "GRPC", "GRPC-WEB", "HTTP_PROXY" -> true;
            default -> false;
        };
    }

    /** HTTPS and TLS: the protocols whose traffic is TLS on the wire. */
    public static boolean isTlsProtocol(String protocol) {
        return switch (protocol.toUpperCase(Locale.ROOT)) {
            case "HTTPS", "TLS" -> true;
            default -> false;
        };
    }

    /** Protocols carried as opaque TCP streams (TLS included). */
    public static boolean isTcpProtocol(String protocol) {
        return switch (protocol.toUpperCase(Locale.ROOT)) {
            case "TCP", "HTTPS", "TLS", "MONGO", "REDIS", "MYSQL" -> true;
            default -> false;
        };
    }

    /** A protocol where an empty one means "detect it" (service and sidecar ports). */
    public static void checkProtocol(Node node, String field, String protocol) {
        if (!protocol.isEmpty() && !isKnownProtocol(protocol)) {
            node.error(field, "unsupported protocol \"" + protocol + "\", expected one of "
                    + String.join(", ", PROTOCOLS.stream().sorted().toList()));
        }
    }

    // ---- hosts -------------------------------------------------------------------------------

    /** Why {@code fqdn} is not a fully-qualified domain name, or null when it is one. */
    public static String fqdnError(String fqdn) {
        String pre = dnsPreconditionError(fqdn);
        return pre != null ? pre : dnsLabelsError(fqdn, fqdn);
    }

    /** Why {@code domain} is not an FQDN with an optional wildcard first label, or null. */
    public static String wildcardDomainError(String domain) {
        String pre = dnsPreconditionError(domain);
        if (pre != null) {
            return pre;
        }
        int dot = domain.indexOf('.');
        String first = dot < 0 ? domain : domain.substring(0, dot);
        if (!isWildcardDnsLabel(first)) {
            return "domain name \"" + domain + "\" invalid (label \"" + first + "\" invalid)";
        }
        return dot < 0 ? null : dnsLabelsError(domain, domain.substring(dot + 1));
    }

    private static String dnsPreconditionError(String name) {
        if (name.length() > DOMAIN_MAX) {
            return "domain name \"" + name + "\" too long (max " + DOMAIN_MAX + ")";
        }
        if (name.isEmpty()) {
            return "empty domain name not allowed";
        }
        return null;
    }

    private static String dnsLabelsError(String whole, String domain) {
        String[] parts = domain.split("\\.", -1);
        String tld = parts[parts.length - 1];
        if (!tld.isEmpty() && tld.chars().allMatch(Character::isDigit)) {
            return "domain name \"" + whole + "\" invalid (top level domain \"" + tld + "\" cannot be all-numeric)";
        }
        for (int i = 0; i < parts.length; i++) {
            // A trailing dot is allowed, for unambiguous names like "istio.io."
            if (i == parts.length - 1 && parts[i].isEmpty()) {
                return null;
            }
            if (!isDnsLabel(parts[i])) {
                return "domain name \"" + whole + "\" invalid (label \"" + parts[i] + "\" invalid)";
            }
        }
        return null;
    }

    private static boolean isWildcardDnsLabel(String label) {
        if (label.equals("*")) {
            return true;
        }
        if (label.startsWith("*")) {
            // "*foo" is valid the same way "xfoo" would be
            return isDnsLabel("x" + label.substring(1));
        }
        return isDnsLabel(label);
    }

    public static void checkFqdn(Node node, String field, String host) {
        String error = fqdnError(host);
        if (error != null) {
            node.error(field, error);
        }
    }

    /** An FQDN with an optional wildcard prefix ({@code *.example.com}, {@code *}). */
    public static void checkWildcardHost(Node node, String field, String host) {
        String error = wildcardDomainError(host);
        if (error != null) {
            node.error(field, error);
        }
    }

    /** Why {@code host} has a wildcard other than as its whole first label, or null. */
    public static String partialWildcardError(String host) {
        if (host.contains("*") && host.length() != 1 && !host.startsWith("*.")) {
            return "partial wildcard \"" + host + "\" not allowed";
        }
        return null;
    }

    /**
     * A {@code namespace/dnsName} host of a Gateway server or a Sidecar egress listener. Gateways also
     * accept a bare host (the namespace is then "*") and an IP address as the name; sidecars accept
     * "~" as a namespace.
     */
    public static void checkNamespacedHost(Node node, String field, String host, boolean gateway) {
        int slash = host.indexOf('/');
        if (slash < 0) {
            if (gateway) {
                checkHostnamePart(node, field, host, host, true);
            } else {
                node.error(field, "host \"" + host + "\" must be of form namespace/dnsName");
            }
            return;
        }
        String namespace = host.substring(0, slash);
        String name = host.substring(slash + 1);
        if (namespace.isEmpty() || name.isEmpty()) {
            node.error(field, "host \"" + host + "\": namespace and dnsName cannot be empty");
        }
        boolean special = namespace.equals("*") || namespace.equals(".") || (!gateway && namespace.equals("~"));
        if (!special && !isDnsLabel(namespace)) {
            node.error(field, "host \"" + host + "\": invalid namespace \"" + namespace + "\"");
        }
        checkHostnamePart(node, field, host, name, gateway);
    }

    private static void checkHostnamePart(Node node, String field, String whole, String name, boolean gateway) {
        if (!name.equals("*") && !name.contains(".")) {
            node.error(field, "host \"" + whole + "\": short names (non FQDN) are not allowed");
        }
        String error = wildcardDomainError(name);
        if (error != null && !(gateway && isIpAddress(name))) {
            node.error(field, "host \"" + whole + "\": " + error);
        }
        String partial = partialWildcardError(name);
        if (partial != null) {
            node.error(field, "host \"" + whole + "\": " + partial);
        }
    }

    /** Istio's {@code host.Name.Matches}: the two hosts (wildcards allowed) have a name in common. */
    public static boolean hostsOverlap(String a, String b) {
        boolean aWild = a.startsWith("*");
        boolean bWild = b.startsWith("*");
        if (aWild && bWild) {
            return a.length() < b.length() ? b.substring(1).endsWith(a.substring(1))
                    : a.substring(1).endsWith(b.substring(1));
        }
        if (aWild) {
            return b.endsWith(a.substring(1));
        }
        if (bWild) {
            return a.endsWith(b.substring(1));
        }
        return a.equals(b);
    }

    /** Istio's {@code host.Name.SubsetOf}: every name {@code host} matches is matched by {@code of}. */
    public static boolean hostSubsetOf(String host, String of) {
        boolean hostWild = host.startsWith("*");
        boolean ofWild = of.startsWith("*");
        if (hostWild) {
            return ofWild && host.substring(1).endsWith(of.substring(1));
        }
        return ofWild ? host.endsWith(of.substring(1)) : host.equals(of);
    }

    // ---- addresses ---------------------------------------------------------------------------

    /** An IPv4 or IPv6 literal (never resolves names). */
    public static boolean isIpAddress(String value) {
        if (IPV4.matcher(value).matches()) {
            for (String octet : value.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return true;
        }
        return isIpv6(value);
    }

    private static boolean isIpv6(String value) {
        // With a ':' in it, InetAddress parses the text as an IPv6 literal and never does a lookup.
        if (!value.contains(":") || !value.matches("[0-9A-Fa-f:.%a-zA-Z0-9_-]+")) {
            return false;
        }
        try {
            return InetAddress.getByName(value) instanceof Inet6Address;
        } catch (UnknownHostException | SecurityException e) {
            return false;
        }
    }

    public static void checkIpAddress(Node node, String field, String value) {
        if (!isIpAddress(value)) {
            node.error(field, "\"" + value + "\" is not a valid IP address");
        }
    }

    /** An IP address or a CIDR block ({@code 10.0.0.0/8}, {@code 2001:db8::/32}). */
    public static boolean isIpOrCidr(String value) {
        int slash = value.indexOf('/');
        if (slash < 0) {
            return isIpAddress(value);
        }
        String address = value.substring(0, slash);
        String bits = value.substring(slash + 1);
        if (address.contains("%") || !bits.matches("0|[1-9][0-9]{0,2}") || !isIpAddress(address)) {
            return false;
        }
        int max = address.contains(":") ? 128 : 32;
        return Integer.parseInt(bits) <= max;
    }

    public static void checkIpOrCidr(Node node, String field, String value) {
        if (!isIpOrCidr(value)) {
            node.error(field, "\"" + value + "\" is not a valid IP address or CIDR block");
        }
    }

    /** The path of a unix domain socket: absolute, not a directory, or an abstract socket ({@code @name}). */
    public static void checkUnixAddress(Node node, String field, String path) {
        if (path.isEmpty()) {
            node.error(field, "unix address must not be empty");
        } else if (!path.startsWith("@") && (!path.startsWith("/") || path.endsWith("/"))) {
            node.error(field, "\"" + path + "\" is not an absolute path to a file");
        }
    }

    // ---- visibility and labels ---------------------------------------------------------------

    /**
     * {@code exportTo}: each entry "." (this namespace), "*" (all) or a namespace name, no duplicates,
     * "*" alone. ServiceEntries also accept "~" (no one), alone.
     */
    public static void checkExportTo(Node node, String field, List<String> exportTo, boolean serviceEntry) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < exportTo.size(); i++) {
            String entry = exportTo.get(i);
            String at = field + "[" + i + "]";
            if (!seen.add(entry)) {
                node.error(at, "duplicate entry \"" + entry + "\" in exportTo");
                continue;
            }
            boolean reserved = entry.equals(".") || entry.equals("*") || (serviceEntry && entry.equals("~"));
            if (!reserved && !isDnsLabel(entry)) {
                node.error(at, "invalid exportTo value \"" + entry + "\": expected \".\", \"*\""
                        + (serviceEntry ? ", \"~\"" : "") + " or a namespace name");
            }
        }
        if (exportTo.size() > 1 && seen.contains("*")) {
            node.error(field, "cannot have both public (*) and non-public exportTo values: " + exportTo);
        }
        if (exportTo.size() > 1 && seen.contains("~")) {
            node.error(field, "cannot export to no one (~) and someone: " + exportTo);
        }
    }

    /** Kubernetes labels: keys {@code [prefix/]name}, values at most 63 characters of [A-Za-z0-9-_.]. */
    public static void checkLabels(Node node, String field, Map<String, String> labels) {
        for (Map.Entry<String, String> entry : labels.entrySet()) {
            String key = entry.getKey();
            String keyError = labelKeyError(key);
            if (keyError != null) {
                node.error(field + "." + key, keyError);
            }
            String value = entry.getValue();
            if (!value.isEmpty() && (value.length() > DNS1123_LABEL_MAX || !QUALIFIED_NAME.matcher(value).matches())) {
                node.error(field + "." + key, "invalid label value \"" + value + "\": at most 63 letters, digits,"
                        + " '-', '_' and '.', starting and ending with a letter or digit");
            }
        }
    }

    private static String labelKeyError(String key) {
        String[] parts = key.split("/", -1);
        if (parts.length > 2) {
            return "invalid label key \"" + key + "\": at most one '/'";
        }
        String name = parts[parts.length - 1];
        if (parts.length == 2 && !isDnsSubdomain(parts[0])) {
            return "invalid label key \"" + key + "\": prefix \"" + parts[0] + "\" must be a DNS-1123 subdomain";
        }
        if (name.isEmpty() || name.length() > DNS1123_LABEL_MAX || !QUALIFIED_NAME.matcher(name).matches()) {
            return "invalid label key \"" + key + "\": the name must be 1 to 63 letters, digits, '-', '_' and '.',"
                    + " starting and ending with a letter or digit";
        }
        return null;
    }

    /**
     * The labels of a workload selector: no empty key, no wildcard; an empty selector selects every
     * workload of the namespace, which is valid but most likely a mistake, hence a warning.
     */
    public static void checkSelectorLabels(Node node, String field, Map<String, String> labels) {
        for (Map.Entry<String, String> entry : labels.entrySet()) {
            String pair = entry.getKey() + "=" + entry.getValue();
            if (entry.getKey().isEmpty()) {
                node.error(field, "empty key is not supported in selector: \"" + pair + "\"");
            }
            if (entry.getKey().contains("*") || entry.getValue().contains("*")) {
                node.error(field + "." + entry.getKey(), "wildcard is not supported in selector: \"" + pair + "\"");
            }
        }
        if (labels.isEmpty()) {
            node.warning(field, "workload selector specified without labels: applies to every workload in the"
                    + " namespace");
        }
    }

    // ---- numbers and durations ---------------------------------------------------------------

    /** A whole percentage. */
    public static void checkPercent(Node node, String field, long value) {
        if (value < 0 || value > 100) {
            node.error(field, "percentage " + value + " is not in range 0..100");
        }
    }

    /** A fractional percentage, as Envoy takes it: 0, or 0.0001 to 100. */
    public static void checkPercentage(Node node, String field, double value) {
        if (value < 0.0 || value > 100.0 || (value > 0.0 && value < 0.0001)) {
            node.error(field, "percentage " + value + " is neither 0.0, nor in range [0.0001, 100.0]");
        }
    }

    /** A duration Envoy can take: at least 1ms, in whole milliseconds. */
    public static void checkDuration(Node node, String field, Duration duration) {
        if (duration == null) {
            return;
        }
        if (duration.compareTo(Duration.ofMillis(1)) < 0) {
            node.error(field, "duration " + Durations.format(duration) + " must be at least 1ms");
        } else if (duration.toNanos() % 1_000_000L != 0) {
            node.error(field, "duration " + Durations.format(duration) + ": only durations to ms precision are"
                    + " supported");
        }
    }

    // ---- HTTP --------------------------------------------------------------------------------

    /** A header name to match on: letters, digits, '-' and '_' (or a JWT claim where {@code jwtClaims}). */
    public static void checkHttpHeaderName(Node node, String field, String name, boolean jwtClaims) {
        if (name.isEmpty()) {
            node.error(field, "header name cannot be empty");
        } else if (!(jwtClaims && name.startsWith(JWT_CLAIM_PREFIX)) && !HEADER_NAME.matcher(name).matches()) {
            node.error(field, "\"" + name + "\" is not a valid header name: letters, digits, '-' and '_' only");
        }
    }

    /** A regex as Envoy takes it. RE2 syntax is approximated by Java's, which is close to a superset. */
    public static void checkRegex(Node node, String field, String regex) {
        if (regex.length() > REGEX_MAX_LENGTH) {
            node.error(field, "regex is too large (" + regex.length() + " characters), max length allowed is "
                    + REGEX_MAX_LENGTH);
            return;
        }
        try {
            Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            node.error(field, "invalid regex \"" + regex + "\": " + e.getDescription()
                    + "; Istio uses RE2 style regex-based match (https://github.com/google/re2/wiki/Syntax)");
        }
    }
}
