package dev.mesh.proxy.model;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/** What a matched route does: forward to clusters, redirect, or answer directly. */
public sealed interface Action {

    /** Forward to one of {@code clusters}, picked by weight. A zero timeout means none. */
    record Forward(List<WeightedCluster> clusters, int totalWeight, Duration timeout, RetryPolicy retry,
            String prefixRewrite, Pattern regexRewrite, String regexSubstitution, String hostRewrite,
            List<Mirror> mirrors, List<HashPolicy> hashPolicies) implements Action {}

    /** Null fields keep the request's own value. */
    record Redirect(int status, String scheme, String host, Integer port, String path, String prefixRewrite,
            boolean stripQuery) implements Action {}

    record DirectResponse(int status, String body) implements Action {}

    record WeightedCluster(String name, int weight, HeaderOps headerOps) {}

    record Mirror(String cluster, int perMillion) {}

    /** Route hash policy for ring-hash clusters: a header, a cookie, or the source IP. */
    record HashPolicy(String header, String cookie, boolean sourceIp, boolean terminal) {}
}
