package dev.mesh.telemetry.aggregate;

import dev.mesh.telemetry.model.Peer;
import dev.mesh.telemetry.model.RequestRecord;

/** What makes two requests the same edge: both ends, the destination service and the protocol. */
public record EdgeKey(Peer source, Peer destination, String destinationService, String protocol) {

    public static EdgeKey of(RequestRecord record) {
        return new EdgeKey(record.source(), record.destination(), record.destinationService(), record.protocol());
    }
}
