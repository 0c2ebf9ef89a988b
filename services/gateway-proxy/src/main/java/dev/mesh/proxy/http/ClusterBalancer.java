package dev.mesh.proxy.http;

import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
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
 * share between event loops: only atomics change.
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

    public ClusterBalancer(ClusterSpec spec, List<Endpoint> endpoints) {
        this.spec = spec;
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
        return switch (spec.lbPolicy()) {
            case ROUND_ROBIN -> schedule[(int) Math.floorMod(next.getAndIncrement(), (long) schedule.length)];
            case RANDOM -> schedule[random.nextInt(schedule.length)];
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

    public void started(int index) {
        active[index].incrementAndGet();
    }

    public void finished(int index) {
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
