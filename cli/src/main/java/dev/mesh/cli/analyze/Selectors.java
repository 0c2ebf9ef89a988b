package dev.mesh.cli.analyze;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Equality-based label selectors, as Kubernetes' {@code labels.SelectorFromSet}. */
final class Selectors {

    private Selectors() {
    }

    /** Every key of {@code selector} is present in {@code labels} with the same value; an empty selector matches all. */
    static boolean matches(Map<String, String> selector, Map<String, String> labels) {
        for (Map.Entry<String, String> e : selector.entrySet()) {
            if (!labels.containsKey(e.getKey()) || !labels.get(e.getKey()).equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The selector's text form: {@code k1=v1,k2=v2}, keys sorted. */
    static String toString(Map<String, String> selector) {
        return new TreeMap<>(selector).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(","));
    }
}
