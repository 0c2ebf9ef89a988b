package dev.mesh.cli.analyze;

import java.util.Locale;

/** A message's severity, with the names and order istioctl uses ({@code Error} is the worst). */
public enum Level {
    INFO("Info"), WARNING("Warning"), ERROR("Error");

    private final String display;

    Level(String display) {
        this.display = display;
    }

    public boolean isAtLeast(Level other) {
        return compareTo(other) >= 0;
    }

    /** Parses {@code Info}, {@code Warning} or {@code Error}, in any case, as istioctl's threshold flags do. */
    public static Level parse(String text) {
        for (Level level : values()) {
            if (level.display.toLowerCase(Locale.ROOT).equals(text.trim().toLowerCase(Locale.ROOT))) {
                return level;
            }
        }
        throw new IllegalArgumentException("invalid level \"" + text + "\": expected one of Info, Warning, Error");
    }

    @Override
    public String toString() {
        return display;
    }
}
