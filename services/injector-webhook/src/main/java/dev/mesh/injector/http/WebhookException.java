package dev.mesh.injector.http;

/** The request cannot be read as an AdmissionReview at all; {@link HttpErrors} picks the status. */
public abstract sealed class WebhookException extends RuntimeException
        permits WebhookException.BadRequest, WebhookException.UnsupportedMediaType {

    WebhookException(String message) {
        super(message);
    }

    /** Malformed or oversized body, or no {@code request} in the review. */
    public static final class BadRequest extends WebhookException {
        public BadRequest(String message) {
            super(message);
        }
    }

    /** Anything but {@code application/json}. */
    public static final class UnsupportedMediaType extends WebhookException {
        public UnsupportedMediaType(String message) {
            super(message);
        }
    }
}
