package dev.mesh.cli.analyze;

/** Where analyzers put what they find. */
@FunctionalInterface
public interface Reporter {

    void report(Message message);
}
