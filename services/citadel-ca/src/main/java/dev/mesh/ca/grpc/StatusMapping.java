package dev.mesh.ca.grpc;

import dev.mesh.ca.model.CaException;
import io.grpc.Status;

/** The one place where the CA's failures become gRPC statuses. */
public final class StatusMapping {

    private StatusMapping() {
    }

    public static Status toStatus(Throwable failure) {
        if (failure instanceof CaException e) {
            Status status = switch (e.reason().kind()) {
                case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
                case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
                case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
                case UNAVAILABLE -> Status.UNAVAILABLE;
                case INTERNAL -> Status.INTERNAL;
            };
            return status.withDescription(e.getMessage());
        }
        return Status.INTERNAL.withDescription("internal error in the CA; see its log");
    }
}
