package dev.mesh.injector.http;

/** The one place where a failure becomes an HTTP status. */
final class HttpErrors {

    private HttpErrors() {
    }

    /** 415 for a wrong content type, 400 for any other request that is not an AdmissionReview, else 500. */
    static int status(Throwable error) {
        if (error instanceof WebhookException.UnsupportedMediaType) {
            return 415;
        }
        if (error instanceof WebhookException.BadRequest) {
            return 400;
        }
        return 500;
    }

    /** What the caller is told: the input problem, or nothing internal. */
    static String message(Throwable error) {
        return error instanceof WebhookException ? error.getMessage() : "internal error";
    }
}
