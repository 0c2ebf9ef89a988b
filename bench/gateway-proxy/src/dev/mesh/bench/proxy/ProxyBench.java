package dev.mesh.bench.proxy;

import static dev.mesh.proxy.testing.Resources.clusterName;
import static dev.mesh.proxy.testing.Resources.edsCluster;
import static dev.mesh.proxy.testing.Resources.endpoints;
import static dev.mesh.proxy.testing.Resources.host;
import static dev.mesh.proxy.testing.Resources.prefix;
import static dev.mesh.proxy.testing.Resources.route;
import static dev.mesh.proxy.testing.Resources.toCluster;

import dev.mesh.proxy.testing.FakeControlPlane;
import dev.mesh.proxy.testing.Resources;
import dev.mesh.proxy.xds.XdsState;
import io.envoyproxy.envoy.config.cluster.v3.Cluster;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Direct vs through the gateway proxy vs through nginx, in one run: nginx serves a small static response on
 * loopback (the backend) and is also set up as the equivalent reverse proxy; the packaged proxy jar gets its
 * listener, route and cluster from a fake ADS server in this process. Each target is driven with wrk for the
 * same duration and connections. Args: proxy-jar work-dir seconds connections.
 */
public final class ProxyBench {

    static final String HOST = "bench.example.com";

    record Result(String target, double rps, String p50, String p99, long requests, long errors) {}

    public static void main(String[] args) throws Exception {
        Path jar = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int seconds = Integer.parseInt(args[2]);
        int connections = Integer.parseInt(args[3]);
        Files.createDirectories(work);
        int backendPort = freePort();
        int nginxProxyPort = freePort();
        int proxyPort = freePort();

        Path conf = work.resolve("nginx.conf");
        Files.writeString(conf, """
                worker_processes auto;
                daemon off;
                pid %1$s/nginx.pid;
                error_log %1$s/nginx-error.log warn;
                events { worker_connections 4096; }
                http {
                    access_log off;
                    client_body_temp_path %1$s/body; proxy_temp_path %1$s/proxy;
                    fastcgi_temp_path %1$s/fastcgi; uwsgi_temp_path %1$s/uwsgi; scgi_temp_path %1$s/scgi;
                    upstream backend { server 127.0.0.1:%2$d; keepalive 256; }
                    server {
                        listen 127.0.0.1:%2$d;
                        keepalive_requests 1000000;
                        location / { default_type text/plain; return 200 "hello from the backend\\n"; }
                    }
                    server {
                        listen 127.0.0.1:%3$d;
                        keepalive_requests 1000000;
                        location / {
                            proxy_pass http://backend;
                            proxy_http_version 1.1;
                            proxy_set_header Connection "";
                            proxy_set_header Host $host;
                            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
                        }
                    }
                }
                """.formatted(work, backendPort, nginxProxyPort));
        List<Process> started = new ArrayList<>();
        FakeControlPlane cp = new FakeControlPlane().start();
        try {
            Process nginx = new ProcessBuilder("nginx", "-c", conf.toString(), "-p", work.toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("nginx.out").toFile()).start();
            started.add(nginx);

            String cluster = clusterName(null, "bench.bench.svc.cluster.local");
            cp.set(XdsState.CDS, List.of(edsCluster(cluster, Cluster.LbPolicy.ROUND_ROBIN)));
            cp.set(XdsState.EDS, List.of(endpoints(cluster, "bench-backend@" + backendPort)));
            cp.set(XdsState.LDS, List.of(Resources.httpListener(proxyPort)));
            cp.set(XdsState.RDS, List.of(Resources.routes(proxyPort, host("bench", List.of("*"),
                    route("all", prefix("/"), toCluster(cluster))))));
            Process proxy = new ProcessBuilder("java", "-Xmx256m", "-XX:+UseSerialGC",
                    "-Dmesh.proxy.discovery-address=" + cp.address(),
                    "-Dmesh.proxy.saved-config-path=" + work.resolve("saved-config.pb"),
                    "-Dmesh.proxy.pod-name=bench-proxy-0", "-Dmesh.proxy.pod-namespace=bench",
                    "-Dmesh.proxy.admin-port=" + freePort(), "-Dmesh.proxy.health-port=" + freePort(),
                    "-Dmesh.proxy.prometheus-port=" + freePort(), "-Dmesh.proxy.agent-port=" + freePort(),
                    "-jar", jar.toString())
                    .redirectErrorStream(true).redirectOutput(work.resolve("proxy.log").toFile()).start();
            started.add(proxy);

            String direct = "http://127.0.0.1:" + backendPort + "/";
            String throughProxy = "http://127.0.0.1:" + proxyPort + "/";
            String throughNginx = "http://127.0.0.1:" + nginxProxyPort + "/";
            for (String url : List.of(direct, throughProxy, throughNginx)) {
                awaitOk(url, Duration.ofSeconds(60));
            }
            List<Result> results = new ArrayList<>();
            wrk("warm-up", direct, 3, connections);
            results.add(wrk("direct", direct, seconds, connections));
            wrk("warm-up", throughProxy, Math.max(5, seconds / 2), connections);
            long cpuBefore = cpuTicks(proxy.pid());
            Result viaProxy = wrk("gateway-proxy", throughProxy, seconds, connections);
            long cpuTicks = cpuTicks(proxy.pid()) - cpuBefore;
            long rssKb = rssKb(proxy.pid());
            results.add(viaProxy);
            wrk("warm-up", throughNginx, 3, connections);
            results.add(wrk("nginx", throughNginx, seconds, connections));

            System.out.printf("%nwrk -t2 -c%d -d%ds, keep-alive HTTP/1.1, %d-byte body%n", connections, seconds, 23);
            System.out.println("| target | req/s | p50 | p99 | requests | non-2xx/errors |");
            System.out.println("|---|---|---|---|---|---|");
            for (Result r : results) {
                System.out.printf("| %s | %,.0f | %s | %s | %,d | %d |%n", r.target(), r.rps(), r.p50(), r.p99(), r.requests(), r.errors());
            }
            double cpuSeconds = cpuTicks / 100.0;
            System.out.printf("%ngateway-proxy: RSS %,d KB after the run; CPU %.2f s for %,d requests = %.3f CPU-s per 1,000 requests%n",
                    rssKb, cpuSeconds, viaProxy.requests(), cpuSeconds / (viaProxy.requests() / 1000.0));
        } finally {
            for (Process p : started) {
                p.destroy();
            }
            for (Process p : started) {
                p.waitFor();
            }
            cp.close();
        }
    }

    static Result wrk(String target, String url, int seconds, int connections) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency", url)
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException("wrk against " + url + " failed:\n" + out);
        }
        double rps = Double.parseDouble(find(out, "Requests/sec:\\s+([0-9.]+)"));
        long requests = Long.parseLong(find(out, "([0-9]+) requests in"));
        long errors = 0;
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses: ([0-9]+)").matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = Pattern.compile("Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)").matcher(out);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        return new Result(target, rps, find(out, "(?m)^\\s+50%\\s+(\\S+)"), find(out, "(?m)^\\s+99%\\s+(\\S+)"), requests, errors);
    }

    static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            throw new IllegalStateException("no " + regex + " in wrk output:\n" + text);
        }
        return m.group(1);
    }

    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);
    }

    static long rssKb(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("[^0-9]", ""))).findFirst().orElse(-1);
    }

    static void awaitOk(String url, Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (client.send(HttpRequest.newBuilder(URI.create(url)).header("x-bench", "ready").build(),
                        HttpResponse.BodyHandlers.ofString()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(url + " did not answer 200 within " + timeout);
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
