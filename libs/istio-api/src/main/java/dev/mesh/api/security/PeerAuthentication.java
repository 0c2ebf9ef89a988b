package dev.mesh.api.security;

import dev.mesh.api.Node;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Istio's {@code security.istio.io} PeerAuthentication spec: whether workloads accept plain text,
 * mutual TLS, or both, for the whole namespace (or mesh) or for selected workloads and ports.
 *
 * @param selector      the workloads it applies to; null applies it namespace-wide (mesh-wide in the root
 *                      namespace)
 * @param mtls          the mutual TLS setting for every port; null inherits from the parent policy
 * @param portLevelMtls overrides per workload port; only with a non-empty selector
 */
public record PeerAuthentication(WorkloadSelector selector, MutualTLS mtls, Map<Integer, MutualTLS> portLevelMtls) {

    public PeerAuthentication {
        portLevelMtls = portLevelMtls == null ? Map.of()
                : Collections.unmodifiableMap(new LinkedHashMap<>(portLevelMtls));
    }

    /**
     * Parses and validates a PeerAuthentication {@code spec} with the rules of Istio's
     * ValidatePeerAuthentication.
     */
    public static PeerAuthentication parse(Node node) {
        WorkloadSelector selector = node.object("selector", WorkloadSelector::parse);
        MutualTLS mtls = node.object("mtls", MutualTLS::parse);
        boolean portLevelPresent = node.has("portLevelMtls");
        Map<String, MutualTLS> byName = node.objectMap("portLevelMtls", MutualTLS::parse);
        Map<Integer, MutualTLS> byPort = new LinkedHashMap<>();
        for (Map.Entry<String, MutualTLS> entry : byName.entrySet()) {
            String key = entry.getKey();
            if (!SecurityChecks.isPort(key) || Integer.parseInt(key) == 0) {
                node.error("portLevelMtls." + key, "port \"" + key + "\" must be a number in the range 1..65535");
                continue;
            }
            byPort.put(Integer.parseInt(key), entry.getValue());
        }
        if (portLevelPresent && node.raw("portLevelMtls").isObject() && node.raw("portLevelMtls").isEmpty()) {
            node.error("portLevelMtls", "must have at least one port when set");
        }
        if (!byName.isEmpty() && (selector == null || selector.isEmpty())) {
            node.error("portLevelMtls", "requires a selector with matchLabels: a namespace-wide or mesh-wide"
                    + " PeerAuthentication cannot set port-level mTLS");
        }
        return new PeerAuthentication(selector, mtls, byPort);
    }

    /**
     * Istio's {@code PeerAuthentication.MutualTLS}.
     *
     * @param mode never null; {@link Mode#UNSET} when not written
     */
    public record MutualTLS(Mode mode) {

        /** Istio's {@code PeerAuthentication.MutualTLS.Mode}. */
        public enum Mode {
            /** Inherit from the parent policy; PERMISSIVE if there is none. */
            UNSET,
            /** Plain text only. */
            DISABLE,
            /** Both plain text and mutual TLS. */
            PERMISSIVE,
            /** Mutual TLS only. */
            STRICT
        }

        public MutualTLS {
            mode = mode == null ? Mode.UNSET : mode;
        }

        static MutualTLS parse(Node node) {
            return new MutualTLS(node.enumValue("mode", Mode.class));
        }
    }
}
