package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;
import java.time.Duration;

/**
 * Ejection of unhealthy hosts from a load balancing pool (circuit breaking).
 *
 * @param consecutiveLocalOriginFailures null when absent (UInt32Value), as are the two error counts
 * @param interval                       null when absent
 * @param baseEjectionTime               null when absent
 * @param consecutiveErrors              deprecated; 0 when absent
 */
public record OutlierDetection(boolean splitExternalLocalOriginErrors, Integer consecutiveLocalOriginFailures,
        Integer consecutiveGatewayErrors, Integer consecutive5xxErrors, Duration interval, Duration baseEjectionTime,
        int maxEjectionPercent, int minHealthPercent, int consecutiveErrors) {

    public static OutlierDetection parse(Node node) {
        OutlierDetection outlier = new OutlierDetection(
                Fields.bool(node, "splitExternalLocalOriginErrors"),
                Fields.uint32Value(node, "consecutiveLocalOriginFailures"),
                Fields.uint32Value(node, "consecutiveGatewayErrors"),
                Fields.uint32Value(node, "consecutive5xxErrors"),
                node.duration("interval"),
                node.duration("baseEjectionTime"),
                Fields.int32(node, "maxEjectionPercent"),
                Fields.int32(node, "minHealthPercent"),
                Fields.int32(node, "consecutiveErrors"));
        Validation.checkDuration(node, "baseEjectionTime", outlier.baseEjectionTime);
        Validation.checkDuration(node, "interval", outlier.interval);
        if (outlier.consecutiveErrors != 0) {
            node.warning("consecutiveErrors", "deprecated: use consecutiveGatewayErrors or consecutive5xxErrors");
        }
        if (!outlier.splitExternalLocalOriginErrors && outlier.consecutiveLocalOriginFailures != null
                && outlier.consecutiveLocalOriginFailures > 0) {
            node.error("consecutiveLocalOriginFailures", "consecutiveLocalOriginFailures is set, but"
                    + " splitExternalLocalOriginErrors is false");
        }
        Validation.checkPercent(node, "maxEjectionPercent", outlier.maxEjectionPercent);
        Validation.checkPercent(node, "minHealthPercent", outlier.minHealthPercent);
        return outlier;
    }
}
