package dev.mesh.api.networking;

import dev.mesh.api.Node;
import dev.mesh.api.Validation;

/** A percentage in the range 0.0 to 100.0 ({@code percentage: {value: 0.1}}). */
public record Percent(double value) {

    public static Percent parse(Node node) {
        Percent percent = new Percent(Fields.number(node, "value"));
        Validation.checkPercentage(node, "value", percent.value);
        return percent;
    }
}
