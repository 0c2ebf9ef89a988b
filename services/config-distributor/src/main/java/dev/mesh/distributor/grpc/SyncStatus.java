package dev.mesh.distributor.grpc;

import java.time.Instant;
import java.util.Map;

/**
 * What one connected proxy has been sent and has acknowledged, per type: {@code /debug/syncz}.
 *
 * @param types by short type name (CDS, EDS, LDS, RDS)
 */
public record SyncStatus(String proxyId, String protocol, Instant connectedAt, Map<String, TypeStatus> types) {

    /**
     * @param lastNack the proxy's reason for its last rejection, empty if none
     */
    public record TypeStatus(String sentVersion, String sentNonce, String ackedVersion, int resources,
            String lastNack, String nackedVersion) {
    }
}
