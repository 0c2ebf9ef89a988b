package dev.mesh.proxy.admin;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Envoy's {@code /logging} over java.util.logging (JBoss LogManager under Quarkus): Envoy's level names mapped to
 * JBoss levels, the proxy's own loggers by their short names ({@code xds}, {@code http}, ...) or any logger by
 * its full name.
 */
final class LogLevels {

    static final String ROOT_PACKAGE = "dev.mesh.proxy";
    /** The proxy's loggers, by the short names /logging shows. */
    static final List<String> COMPONENTS = List.of("admin", "capture", "config", "http", "metrics", "xds");
    private static final Map<String, Level> LEVELS = Map.of(
            "trace", org.jboss.logmanager.Level.TRACE, "debug", org.jboss.logmanager.Level.DEBUG,
            "info", org.jboss.logmanager.Level.INFO, "warning", org.jboss.logmanager.Level.WARN,
            "warn", org.jboss.logmanager.Level.WARN, "error", org.jboss.logmanager.Level.ERROR,
            "critical", org.jboss.logmanager.Level.FATAL, "off", Level.OFF);

    private LogLevels() {}

    /** {@code name: level} per line for the proxy's loggers, as Envoy lists its active loggers. */
    static String list() {
        Map<String, String> out = new TreeMap<>();
        out.put(ROOT_PACKAGE, envoyName(effective(Logger.getLogger(ROOT_PACKAGE))));
        for (String c : COMPONENTS) {
            out.put(c, envoyName(effective(Logger.getLogger(ROOT_PACKAGE + "." + c))));
        }
        StringBuilder b = new StringBuilder("active loggers:\n");
        out.forEach((name, level) -> b.append("  ").append(name).append(": ").append(level).append('\n'));
        return b.toString();
    }

    /** {@code level=<l>} sets every logger of the proxy; {@code <logger>=<l>} sets one. Returns what changed. */
    static String set(String logger, String levelName) {
        Level level = LEVELS.get(levelName.toLowerCase(Locale.ROOT));
        if (level == null) {
            throw new IllegalArgumentException("unknown level \"" + levelName + "\"; use one of trace, debug, info, "
                    + "warning, error, critical, off");
        }
        if (logger.equals("level")) {
            Logger.getLogger(ROOT_PACKAGE).setLevel(level);
            for (String c : COMPONENTS) {
                Logger.getLogger(ROOT_PACKAGE + "." + c).setLevel(null);
            }
            return ROOT_PACKAGE + " and its loggers: " + levelName;
        }
        String name = COMPONENTS.contains(logger) ? ROOT_PACKAGE + "." + logger : logger;
        if (name.isBlank()) {
            throw new IllegalArgumentException("no logger named");
        }
        Logger.getLogger(name).setLevel(level);
        return name + ": " + levelName;
    }

    private static Level effective(Logger logger) {
        for (Logger l = logger; l != null; l = l.getParent()) {
            if (l.getLevel() != null) {
                return l.getLevel();
            }
        }
        return Level.INFO;
    }

    private static String envoyName(Level level) {
        int v = level.intValue();
        if (v == Level.OFF.intValue()) {
            return "off";
        }
        if (v >= org.jboss.logmanager.Level.FATAL.intValue()) {
            return "critical";
        }
        if (v >= org.jboss.logmanager.Level.ERROR.intValue()) {
            return "error";
        }
        if (v >= org.jboss.logmanager.Level.WARN.intValue()) {
            return "warning";
        }
        if (v >= org.jboss.logmanager.Level.INFO.intValue()) {
            return "info";
        }
        if (v >= org.jboss.logmanager.Level.DEBUG.intValue()) {
            return "debug";
        }
        return "trace";
    }
}
