package dev.mesh.ca.model;

/**
 * Why a certificate request was refused. The {@link Reason} decides the gRPC status (mapped in one
 * place, {@code dev.mesh.ca.grpc.StatusMapping}) and the {@code reason} label of the CSR metric; the
 * message says what was wrong with which input.
 */
public final class CaException extends RuntimeException {

    /** What kind of failure, for the caller's status code. */
    public enum Kind { UNAUTHENTICATED, PERMISSION_DENIED, INVALID_ARGUMENT, UNAVAILABLE, INTERNAL }

    /** Every reason a request can be refused; the name in lower case is the metric label. */
    public enum Reason {
        MISSING_CREDENTIALS(Kind.UNAUTHENTICATED),
        INVALID_TOKEN(Kind.UNAUTHENTICATED),
        INVALID_CLIENT_CERTIFICATE(Kind.UNAUTHENTICATED),
        IDENTITY_MISMATCH(Kind.PERMISSION_DENIED),
        MALFORMED_CSR(Kind.INVALID_ARGUMENT),
        BAD_CSR_SIGNATURE(Kind.INVALID_ARGUMENT),
        UNSUPPORTED_KEY(Kind.INVALID_ARGUMENT),
        INVALID_TTL(Kind.INVALID_ARGUMENT),
        TOKEN_REVIEW_UNAVAILABLE(Kind.UNAVAILABLE),
        CA_NOT_READY(Kind.UNAVAILABLE),
        SIGNING_FAILED(Kind.INTERNAL);

        private final Kind kind;

        Reason(Kind kind) {
            this.kind = kind;
        }

        public Kind kind() {
            return kind;
        }

        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final Reason reason;

    public CaException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public CaException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
