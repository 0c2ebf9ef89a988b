package dev.mesh.telemetry.graph;

/** A query parameter is missing or wrong; the message names it and says what is accepted. Answered with 400. */
public final class BadQueryException extends RuntimeException {

    private final String parameter;

    public BadQueryException(String parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public String parameter() {
        return parameter;
    }
}
