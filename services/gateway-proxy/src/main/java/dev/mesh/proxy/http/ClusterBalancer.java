package dev.mesh.proxy.http;

import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
import dev.mesh.proxy.model.OutlierDetection;
import java.time.Clock;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/**
 * Picks an endpoint of one cluster by the cluster's policy: weighted round robin, least request (two random
 * choices, fewer active requests wins), weighted random, or a ring hash over the route's hash key. Safe to
 * share between event loops: only atomics change. With outlier detection, an ejected endpoint is skipped until
 * its ejection time is up; when every endpoint is ejected the pick ignores ejection, as Envoy's panic mode does.
 */
public final class ClusterBalancer {

    private static final int RING_POINTS_PER_WEIGHT = 64;

    private final ClusterSpec spec;
    private final List<Endpoint> endpoints;
    private final int[] schedule;
    private final AtomicLong next = new AtomicLong();
    private final AtomicInteger[] active;
    private final long[] ringHashes;
    private final int[] ringOwners;
    private final Clock clock;
    private final AtomicInteger[] consecutive5xx;
    private final AtomicInteger[] consecutiveGatewayFailures;
    private final AtomicInteger[] timesEjected;
    private final AtomicLong[] ejectedUntilMillis;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final int inFlightBound;

    public ClusterBalancer(ClusterSpec spec, List<Endpoint> endpoints) {
        this(spec, endpoints, Clock.systemUTC());
    }

    public ClusterBalancer(ClusterSpec spec, List<Endpoint> endpoints, Clock clock) {
        this.spec = spec;
        this.clock = clock;
        this.inFlightBound = spec.connectionLimits() == null ? Integer.MAX_VALUE
                : spec.connectionLimits().inFlightBound(spec.http2());
        this.consecutive5xx = counters(endpoints.size());
        this.consecutiveGatewayFailures = counters(endpoints.size());
        this.timesEjected = counters(endpoints.size());
        this.ejectedUntilMillis = new AtomicLong[endpoints.size()];
        for (int i = 0; i < endpoints.size(); i++) {
            ejectedUntilMillis[i] = new AtomicLong();
        }
        this.endpoints = List.copyOf(endpoints);
        List<Integer> sched = new ArrayList<>();
        for (int i = 0; i < endpoints.size(); i++) {
            for (int w = 0; w < endpoints.get(i).weight(); w++) {
                sched.add(i);
            }
        }
        this.schedule = sched.stream().mapToInt(Integer::intValue).toArray();
        this.active = new AtomicInteger[endpoints.size()];
        for (int i = 0; i < active.length; i++) {
            active[i] = new AtomicInteger();
        }
        if (spec.lbPolicy() == ClusterSpec.LbPolicy.RING_HASH) {
            int n = schedule.length * RING_POINTS_PER_WEIGHT;
            long[][] points = new long[n][2];
            int p = 0;
            for (int i = 0; i < endpoints.size(); i++) {
                for (int k = 0; k < endpoints.get(i).weight() * RING_POINTS_PER_WEIGHT; k++) {
                    points[p][0] = hash(endpoints.get(i).key() + "_" + k);
                    points[p][1] = i;
                    p++;
                }
            }
            Arrays.sort(points, (a, b) -> Long.compareUnsigned(a[0], b[0]));
            ringHashes = new long[n];
            ringOwners = new int[n];
            for (int i = 0; i < n; i++) {
                ringHashes[i] = points[i][0];
                ringOwners[i] = (int) points[i][1];
            }
        } else {
            ringHashes = null;
            ringOwners = null;
        }
    }

    public ClusterSpec spec() {
        return spec;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    /**
     * Index of the chosen endpoint, or -1 when the cluster has none.
     *
     * @param hashKey the route's hash key for ring-hash clusters, or null
     */
    public int pick(String hashKey, RandomGenerator random) {
        if (endpoints.isEmpty()) {
            return -1;
        }
        int chosen = pickByPolicy(hashKey, random);
        if (spec.outlierDetection() == null || !ejected(chosen, clock.millis())) {
            return chosen;
        }
        long now = clock.millis();
        for (int k = 1; k < endpoints.size(); k++) {
            int candidate = (chosen + k) % endpoints.size();
            if (!ejected(candidate, now)) {
                return candidate;
            }
        }
        return chosen;
    }

    private boolean ejected(int index, long nowMillis) {
        return ejectedUntilMillis[index].get() > nowMillis;
    }

    /** Whether the endpoint is ejected by outlier detection now. */
    public boolean ejected(int index) {
        return ejected(index, clock.millis());
    }

    /**
     * Feeds outlier detection with one attempt's outcome: the upstream's status, or 0 when the attempt got no
     * response (connect failure, reset), which counts as a gateway failure.
     */
    public void outcome(int index, int status) {
        OutlierDetection od = spec.outlierDetection();
        if (od == null) {
            return;
        }
        boolean fivexx = status == 0 || status >= 500;
        boolean gatewayFailure = status == 0 || status == 502 || status == 503 || status == 504;
        int errors = fivexx ? consecutive5xx[index].incrementAndGet() : resetTo0(consecutive5xx[index]);
        int gateway = gatewayFailure ? consecutiveGatewayFailures[index].incrementAndGet()
                : resetTo0(consecutiveGatewayFailures[index]);
        if ((od.consecutive5xx() > 0 && errors >= od.consecutive5xx())
                || (od.consecutiveGatewayFailure() > 0 && gateway >= od.consecutiveGatewayFailure())) {
            eject(index, od);
        }
    }

    private static int resetTo0(AtomicInteger counter) {
        counter.set(0);
        return 0;
    }

    private void eject(int index, OutlierDetection od) {
        long now = clock.millis();
        if (ejected(index, now)) {
            return;
        }
        int alreadyEjected = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            alreadyEjected += ejected(i, now) ? 1 : 0;
        }
        // Envoy's rule: eject only while the ejected share is below max_ejection_percent.
        if (alreadyEjected * 100 >= od.maxEjectionPercent() * endpoints.size()) {
            return;
        }
        consecutive5xx[index].set(0);
        consecutiveGatewayFailures[index].set(0);
        int times = timesEjected[index].incrementAndGet();
        ejectedUntilMillis[index].set(now + od.baseEjectionTime().toMillis() * times);
    }

    private static AtomicInteger[] counters(int n) {
        AtomicInteger[] a = new AtomicInteger[n];
        for (int i = 0; i < n; i++) {
            a[i] = new AtomicInteger();
        }
        return a;
    }

    private int pickByPolicy(String hashKey, RandomGenerator random) {
        return switch (spec.lbPolicy()) {
            case ROUND_ROBIN -> schedule[(int) Math.floorMod(next.getAndIncrement(), (long) schedule.length)];
            case RANDOM, ORIGINAL_DST -> schedule[random.nextInt(schedule.length)];
            case LEAST_REQUEST -> {
                if (endpoints.size() == 1) {
                    yield 0;
                }
                int a = schedule[random.nextInt(schedule.length)];
                int b = schedule[random.nextInt(schedule.length)];
                yield active[b].get() < active[a].get() ? b : a;
            }
            case RING_HASH -> {
                if (hashKey == null) {
                    yield schedule[random.nextInt(schedule.length)];
                }
                long h = hash(hashKey);
                int lo = 0;
                int hi = ringHashes.length;
                while (lo < hi) {
                    int mid = (lo + hi) >>> 1;
                    if (Long.compareUnsigned(ringHashes[mid], h) < 0) {
                        lo = mid + 1;
                    } else {
                        hi = mid;
                    }
                }
                yield ringOwners[lo == ringHashes.length ? 0 : lo];
            }
        };
    }

    public Endpoint endpoint(int index) {
        return endpoints.get(index);
    }

    /**
     * Counts a request sent to the endpoint, unless the cluster's connection limits are reached: then nothing
     * is counted and the caller answers with overflow.
     */
    public boolean tryStart(int index) {
        if (inFlight.incrementAndGet() > inFlightBound) {
            inFlight.decrementAndGet();
            return false;
        }
        active[index].incrementAndGet();
        return true;
    }

    public void started(int index) {
        inFlight.incrementAndGet();
        active[index].incrementAndGet();
    }

    public void finished(int index) {
        inFlight.decrementAndGet();
        active[index].decrementAndGet();
    }

    /**
     * 64-bit FNV-1a followed by MurmurHash3's finalizer, so that short, similar keys still land all over the
     * ring; stable across runs so a key keeps its endpoint.
     */
    static long hash(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b;
            h *= 0x100000001b3L;
        }
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        h ^= h >>> 33;
        return h;
    }
}
