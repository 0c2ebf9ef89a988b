package dev.mesh.telemetry.graph;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of {@code GET /api/namespaces/graph}, parsed and checked. Parameters Kiali accepts that do not
 * apply here (appenders, boxBy, …) are ignored, as Kiali ignores unknown ones.
 */
public record GraphQuery(Set<String> namespaces, GraphType graphType, Duration duration, boolean injectServiceNodes) {

    public static final Duration DEFAULT_DURATION = Duration.ofMinutes(10);
    private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m|h)?");

    /**
     * Parses the query from its parameters ({@code param} returns null when one is absent).
     *
     * @param retention the longest duration the windows hold
     * @throws BadQueryException naming the first wrong parameter
     */
    public static GraphQuery parse(Function<String, String> param, Duration retention) {
        String namespacesParam = param.apply("namespaces");
        if (namespacesParam == null || namespacesParam.isBlank()) {
            throw new BadQueryException("namespaces",
                    "the query parameter namespaces is required: a comma-separated list of namespaces");
        }
        Set<String> namespaces = new LinkedHashSet<>();
        for (String namespace : namespacesParam.split(",")) {
            String trimmed = namespace.trim();
            if (!NAMESPACE.matcher(trimmed).matches()) {
                throw new BadQueryException("namespaces", "namespaces: \"" + trimmed
                        + "\" is not a namespace name (lower-case letters, digits and '-', at most 63)");
            }
            namespaces.add(trimmed);
        }
        String typeParam = param.apply("graphType");
        GraphType type = typeParam == null || typeParam.isEmpty() ? GraphType.WORKLOAD : GraphType.parse(typeParam);
        String durationParam = param.apply("duration");
        Duration duration = durationParam == null || durationParam.isEmpty()
                ? min(DEFAULT_DURATION, retention) : parseDuration(durationParam);
        if (duration.compareTo(retention) > 0) {
            throw new BadQueryException("duration", "duration " + durationParam + " is longer than the "
                    + retention.toSeconds() + "s of request records this service keeps");
        }
        String injectParam = param.apply("injectServiceNodes");
        boolean inject = true;
        if (injectParam != null && !injectParam.isEmpty()) {
            if (!injectParam.equals("true") && !injectParam.equals("false")) {
                throw new BadQueryException("injectServiceNodes",
                        "injectServiceNodes is \"" + injectParam + "\", want true or false");
            }
            inject = Boolean.parseBoolean(injectParam);
        }
        return new GraphQuery(Set.copyOf(namespaces), type, duration, inject);
    }

    /** Kiali's form: a number with an optional unit ms, s (the default), m or h, for instance {@code 60s}. */
    static Duration parseDuration(String value) {
        Matcher m = DURATION.matcher(value.trim());
        if (!m.matches()) {
            throw new BadQueryException("duration",
                    "duration \"" + value + "\" is not a duration: a number with unit ms, s, m or h, like 60s");
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "s" : m.group(2);
        Duration duration = switch (unit) {
            case "ms" -> Duration.ofMillis(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofSeconds(amount);
        };
        if (duration.toMillis() < 1000) {
            throw new BadQueryException("duration", "duration \"" + value + "\" is shorter than one second");
        }
        return duration;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
