package dev.mesh.proxy.testing;

import io.vertx.core.http.HttpClient;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** Keeps {@code concurrency} requests in flight until {@code total} have completed; counts outcomes. */
public final class Load {

    public final AtomicInteger completed = new AtomicInteger();
    public final AtomicInteger failed = new AtomicInteger();
    public final Map<String, AtomicInteger> byBackend = new ConcurrentHashMap<>();
    public final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
    private final AtomicInteger started = new AtomicInteger();
    private final CountDownLatch done;
    private final HttpClient client;
    private final int port;
    private final String authority;
    private final int total;

    private Load(HttpClient client, int port, String authority, int concurrency, int total) {
        this.client = client;
        this.port = port;
        this.authority = authority;
        this.total = total;
        this.done = new CountDownLatch(concurrency);
    }

    public static Load start(HttpClient client, int port, String authority, int concurrency, int total) {
        Load load = new Load(client, port, authority, concurrency, total);
        for (int i = 0; i < concurrency; i++) {
            load.next();
        }
        return load;
    }

    private void next() {
        if (started.incrementAndGet() > total) {
            done.countDown();
            return;
        }
        ProxyHarness.send(client, port, authority, "/", Map.of()).whenComplete((r, e) -> {
            if (e != null || r.status() != 200) {
                failed.incrementAndGet();
                failures.computeIfAbsent(e != null ? e.toString() : r.status() + " " + r.body(), k -> new AtomicInteger())
                        .incrementAndGet();
            } else {
                byBackend.computeIfAbsent(r.headers().get("x-backend"), k -> new AtomicInteger()).incrementAndGet();
            }
            completed.incrementAndGet();
            next();
        });
    }

    public void await(long seconds) throws InterruptedException {
        if (!done.await(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("load did not finish: " + completed.get() + " of " + total);
        }
    }

    public int count(String backend) {
        AtomicInteger n = byBackend.get(backend);
        return n == null ? 0 : n.get();
    }
}
