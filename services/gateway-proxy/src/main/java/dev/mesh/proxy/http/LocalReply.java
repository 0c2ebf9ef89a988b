package dev.mesh.proxy.http;

/**
 * Every failure the router answers itself, in one place: the status, the body and the Envoy response flag
 * that the access log and {@code istio_requests_total{response_flags}} carry. Bodies are Envoy's, since
 * users and tools match on them.
 */
enum LocalReply {
    NO_ROUTE(404, null, "NR"),
    NO_CLUSTER(503, null, "NC"),
    NO_HEALTHY_UPSTREAM(503, "no healthy upstream", "UH"),
    CONNECT_FAILURE(503, "upstream connect error or disconnect/reset before headers. reset reason: connection failure", "UF"),
    UPSTREAM_RESET(503, "upstream connect error or disconnect/reset before headers. reset reason: connection termination", "UC"),
    UPSTREAM_OVERFLOW(503, "upstream connect error or disconnect/reset before headers. reset reason: overflow", "UO"),
    UPSTREAM_TIMEOUT(504, "upstream request timeout", "UT"),
    UNREADABLE_REQUEST_BODY(400, null, "DPE");

    final int status;
    final String body;
    final String flag;

    LocalReply(int status, String body, String flag) {
        this.status = status;
        this.body = body;
        this.flag = flag;
    }
}
