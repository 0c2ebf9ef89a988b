package dev.mesh.cli.analyze;

/**
 * One kind of analysis message: Istio's code, name, level and text template ({@link String#format} syntax).
 */
public record MessageType(String code, String name, Level level, String template) {
}
