package dev.mesh.samples.podinfo;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The parts of podinfo (github.com/stefanprodan/podinfo) the walkthrough and the e2e suite use, on the JDK's HTTP
 * server: {@code GET /} (runtime info), {@code /version}, {@code /headers} (the request headers, as podinfo's
 * {@code map[string][]string}), {@code /status/{code}}, {@code /delay/{seconds}}, {@code /healthz} and
 * {@code /readyz}. The local cluster runs it for the image {@code ghcr.io/stefanprodan/podinfo:<tag>} with the tag
 * as the version.
 */
public final class PodinfoApp implements AutoCloseable {

    /** Longest delay {@code /delay/{seconds}} accepts, as a guard against tying up a thread for ever. */
    static final int MAX_DELAY_SECONDS = 300;

    private final HttpServer server;
    private final ExecutorService executor;
    private final Settings settings;

    /**
     * What the app serves with. {@code hostname} is what {@code GET /} reports (podinfo reports the pod's name).
     */
    public record Settings(String host, int port, String version, String hostname, String message) {

        /**
         * From podinfo-style arguments ({@code --port=N}, {@code --version=TAG}, {@code --ui-message=TEXT}; other
         * podinfo flags are accepted and ignored) over the environment ({@code PODINFO_PORT}, default 9898;
         * {@code PODINFO_VERSION}; {@code PODINFO_UI_MESSAGE}; {@code HOSTNAME}).
         *
         * @throws IllegalArgumentException naming the argument or variable whose value is not usable
         */
        public static Settings from(List<String> args, Map<String, String> env) {
            String port = env.getOrDefault("PODINFO_PORT", "9898");
            String portSource = "PODINFO_PORT";
            String version = env.getOrDefault("PODINFO_VERSION", "unknown");
            String message = env.get("PODINFO_UI_MESSAGE");
            for (String arg : args) {
                if (arg.startsWith("--port=")) {
                    port = arg.substring("--port=".length());
                    portSource = "--port";
                } else if (arg.startsWith("--version=")) {
                    version = arg.substring("--version=".length());
                } else if (arg.startsWith("--ui-message=")) {
                    message = arg.substring("--ui-message=".length());
                } else if (!arg.startsWith("--")) {
                    throw new IllegalArgumentException("argument \"" + arg + "\": podinfo takes only --flag=value"
                            + " arguments (--port, --version, --ui-message)");
                }
            }
            if (message == null) {
                message = "greetings from podinfo v" + version;
            }
            int p;
            try {
                p = Integer.parseInt(port.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(portSource + "=\"" + port + "\" is not a port number");
            }
            if (p < 0 || p > 65535) {
                throw new IllegalArgumentException(portSource + "=" + p + " is outside 0..65535");
            }
            if (version.isBlank()) {
                throw new IllegalArgumentException("the version (--version or PODINFO_VERSION) is empty");
            }
            String hostname = env.getOrDefault("HOSTNAME", env.getOrDefault("POD_NAME", "podinfo"));
            return new Settings("0.0.0.0", p, version, hostname, message);
        }
    }

    private PodinfoApp(HttpServer server, ExecutorService executor, Settings settings) {
        this.server = server;
        this.executor = executor;
        this.settings = settings;
    }

    /** Binds and starts serving; port 0 picks a free port (see {@link #port()}). */
    public static PodinfoApp start(Settings settings) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(settings.host(), settings.port()), 64);
        // A thread per request (cached, so idle ones go away): /delay must not hold up the others.
        ExecutorService executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "podinfo-http");
            t.setDaemon(true);
            return t;
        });
        PodinfoApp app = new PodinfoApp(server, executor, settings);
        server.createContext("/", app::handle);
        server.setExecutor(executor);
        server.start();
        return app;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public static void main(String[] args) throws IOException {
        Settings settings;
        try {
            settings = Settings.from(List.of(args), System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("podinfo: " + e.getMessage());
            System.exit(2);
            return;
        }
        PodinfoApp app = start(settings);
        Runtime.getRuntime().addShutdownHook(new Thread(app::close, "podinfo-shutdown"));
        System.out.println("podinfo " + settings.version() + " listening on " + settings.host() + ":" + app.port());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            if (!"GET".equals(exchange.getRequestMethod()) && !"HEAD".equals(exchange.getRequestMethod())
                    && !path.startsWith("/status/") && !path.startsWith("/delay/")) {
                reply(exchange, 405, error(405, "method " + exchange.getRequestMethod() + " not allowed on " + path));
                return;
            }
            if (path.equals("/")) {
                reply(exchange, 200, "{\"hostname\":" + quote(settings.hostname()) + ",\"version\":"
                        + quote(settings.version()) + ",\"message\":" + quote(settings.message()) + "}");
            } else if (path.equals("/version")) {
                reply(exchange, 200, "{\"version\":" + quote(settings.version()) + "}");
            } else if (path.equals("/headers")) {
                reply(exchange, 200, headers(exchange.getRequestHeaders()));
            } else if (path.equals("/healthz") || path.equals("/readyz")) {
                reply(exchange, 200, "{\"status\":\"OK\"}");
            } else if (path.startsWith("/status/")) {
                String code = path.substring("/status/".length());
                int status = parse(code);
                if (status < 100 || status > 599) {
                    reply(exchange, 400, error(400, "status code \"" + code + "\" is not a number in 100..599"));
                } else {
                    reply(exchange, status, "{\"status\":" + status + "}");
                }
            } else if (path.startsWith("/delay/")) {
                String value = path.substring("/delay/".length());
                int seconds = parse(value);
                if (seconds < 0 || seconds > MAX_DELAY_SECONDS) {
                    reply(exchange, 400, error(400, "delay \"" + value + "\" is not a number of seconds in 0.."
                            + MAX_DELAY_SECONDS));
                } else {
                    sleep(seconds);
                    reply(exchange, 200, "{\"delay\":" + seconds + "}");
                }
            } else {
                reply(exchange, 404, error(404, "no such path: " + path));
            }
        }
    }

    private static void sleep(int seconds) {
        try {
            TimeUnit.SECONDS.sleep(seconds);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static int parse(String number) {
        try {
            return Integer.parseInt(number);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The request headers as podinfo writes them: Go's canonical names, each with its list of values. */
    static String headers(Headers headers) {
        Map<String, List<String>> canonical = new TreeMap<>();
        headers.forEach((name, values) -> canonical.computeIfAbsent(canonicalName(name), k -> new ArrayList<>())
                .addAll(values));
        StringBuilder out = new StringBuilder("{");
        canonical.forEach((name, values) -> {
            if (out.length() > 1) {
                out.append(',');
            }
            out.append(quote(name)).append(":[");
            for (int i = 0; i < values.size(); i++) {
                out.append(i > 0 ? "," : "").append(quote(values.get(i)));
            }
            out.append(']');
        });
        return out.append('}').toString();
    }

    /** Go's textproto canonical form: {@code x-forwarded-client-cert} → {@code X-Forwarded-Client-Cert}. */
    static String canonicalName(String name) {
        StringBuilder out = new StringBuilder(name.length());
        boolean upper = true;
        for (char c : name.toCharArray()) {
            out.append(upper ? Character.toUpperCase(c) : Character.toLowerCase(c));
            upper = c == '-';
        }
        return out.toString();
    }

    private static String error(int code, String message) {
        return "{\"code\":" + code + ",\"message\":" + quote(message) + "}";
    }

    private static void reply(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }

    static String quote(String text) {
        StringBuilder out = new StringBuilder(text.length() + 2).append('"');
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
