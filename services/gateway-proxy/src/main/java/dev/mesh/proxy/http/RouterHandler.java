package dev.mesh.proxy.http;

import dev.mesh.proxy.metrics.ProxyStats;
import dev.mesh.proxy.model.Action;
import dev.mesh.proxy.model.ClusterSpec;
import dev.mesh.proxy.model.Endpoint;
import dev.mesh.proxy.model.Fault;
import dev.mesh.proxy.model.ForwardedFor;
import dev.mesh.proxy.model.HeaderOps;
import dev.mesh.proxy.model.ListenerView;
import dev.mesh.proxy.tls.InboundTls;
import dev.mesh.proxy.tls.PeerIdentity;
import dev.mesh.proxy.tls.UpstreamHttpClients;
import dev.mesh.proxy.model.RetryPolicy;
import dev.mesh.proxy.model.Route;
import dev.mesh.proxy.model.RouteMatch;
import dev.mesh.proxy.model.VirtualHost;
import dev.mesh.proxy.rbac.RequestViews;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;

/**
 * The router: for each downstream request, picks the virtual host and the first matching route of the
 * listener's current view, then applies the route's fault, answers directly, redirects, or forwards to a
 * cluster with rewrites, header operations, timeout, retries and mirroring. Bodies stream; a request body is
 * held in memory only when it is small and a retry or a mirror needs it. Everything for one request runs on
 * the event loop that accepted it, so its state needs no locks.
 */
public final class RouterHandler {

    /** Who this proxy is, for the source labels of its metrics, and its body buffering bound. */
    public record Settings(int maxBufferedBodyBytes, String sourceWorkload, String sourceNamespace, String sourceApp,
            String sourceVersion) {}

    private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
            "transfer-encoding", "upgrade", "te", "trailer", "proxy-authenticate", "proxy-authorization");

    private final Vertx vertx;
    private final HttpClient http1;
    private final HttpClient http2;
    private final Balancers balancers;
    private final ProxyStats stats;
    private final Settings settings;
    private final Function<String, ListenerView> views;
    /** Upstream TLS per endpoint (mesh mutual TLS, DestinationRule tls); null: all upstreams in plain text. */
    private volatile UpstreamHttpClients upstreamTls;
    private final List<RequestObserver> observers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final DrainControl drain = new DrainControl();
    /** This proxy's SPIFFE id (empty before its first certificate, or without workload identity). */
    private volatile java.util.function.Supplier<String> localPrincipal = () -> "";

    public RouterHandler(Vertx vertx, HttpClient http1, HttpClient http2, Balancers balancers, ProxyStats stats,
            Settings settings, Function<String, ListenerView> views) {
        this.vertx = vertx;
        this.http1 = http1;
        this.http2 = http2;
        this.balancers = balancers;
        this.stats = stats;
        this.settings = settings;
        this.views = views;
    }

    /** Sends to each upstream endpoint with the TLS its cluster asks for. */
    public void useUpstreamTls(UpstreamHttpClients clients) {
        this.upstreamTls = clients;
    }

    /** The client for one endpoint: its cluster's TLS client, else the plain one for its HTTP version. */
    private HttpClient clientFor(ClusterSpec spec, Endpoint ep) {
        UpstreamHttpClients tls = upstreamTls;
        if (tls != null) {
            var client = tls.forEndpoint(spec.name(), ep.host(), ep.port(), spec.http2());
            if (client.isPresent()) {
                return client.get();
            }
        }
        return spec.http2() ? http2 : http1;
    }

    /** Where this proxy's own SPIFFE id comes from: the principal of its side of a mutual TLS connection. */
    public void useLocalPrincipal(java.util.function.Supplier<String> principal) {
        this.localPrincipal = principal;
    }

    /** The drain state shared by every server that feeds this router. */
    public DrainControl drain() {
        return drain;
    }

    /** Adds an observer of every finished request (access log, telemetry); it must not block. */
    public void observe(RequestObserver observer) {
        observers.add(observer);
    }

    public Handler<HttpServerRequest> forListener(String listenerName) {
        return req -> new Exchange(req, views.apply(listenerName), null, ownTls(req)).start();
    }

    /**
     * For several filter chains on one socket: the chain whose server names match the connection's SNI (the
     * first chain naming none when nothing matches) serves the request. {@code chains} are in match order.
     */
    public Handler<HttpServerRequest> forChains(List<dev.mesh.proxy.model.Listener> chains) {
        return req -> {
            String sni = req.isSSL() ? req.connection().indicatedServerName() : null;
            dev.mesh.proxy.model.Listener chosen = chains.get(0);
            for (dev.mesh.proxy.model.Listener l : chains) {
                if (l.matchesServerName(sni)) {
                    chosen = l;
                    break;
                }
            }
            new Exchange(req, views.apply(chosen.name()), null, ownTls(req)).start();
        };
    }

    /**
     * Serves one request of a captured connection (sidecar mode) with the view its original destination
     * selected; {@code originalDst} is where a passthrough (ORIGINAL_DST) cluster sends it.
     */
    public void handle(HttpServerRequest req, ListenerView view, SocketAddress originalDst) {
        handle(req, view, originalDst, InboundTls.Outcome.PLAINTEXT);
    }

    /**
     * As {@link #handle(HttpServerRequest, ListenerView, SocketAddress)}, for a connection whose TLS was terminated
     * before it reached the router (the sidecar's inbound capture): {@code downstream} says who the client proved
     * to be.
     */
    public void handle(HttpServerRequest req, ListenerView view, SocketAddress originalDst, InboundTls.Outcome downstream) {
        new Exchange(req, view, originalDst, downstream).start();
    }

    /** The TLS of a request on a socket this router serves itself (a gateway's TLS listener), else plain text. */
    private static InboundTls.Outcome ownTls(HttpServerRequest req) {
        if (!req.isSSL()) {
            return InboundTls.Outcome.PLAINTEXT;
        }
        return new InboundTls.Outcome(true, PeerIdentity.of(req.sslSession()), null);
    }

    static boolean roll(int perMillion) {
        return perMillion >= 1_000_000 || (perMillion > 0 && ThreadLocalRandom.current().nextInt(1_000_000) < perMillion);
    }

    /** One downstream request from arrival to the end of its response. */
    private final class Exchange {
        private final HttpServerRequest req;
        private final ListenerView view;
        private final SocketAddress originalDst;
        private final InboundTls.Outcome downstreamTls;
        private final TraceContext trace;
        /** The SPIFFE id of the upstream that answered, when the upstream connection was mutual TLS. */
        private String upstreamPrincipal;
        private final long startNanos = System.nanoTime();
        private final long startMillis = System.currentTimeMillis();
        private long upstreamServiceMillis = -1;
        private final List<String> flags = new ArrayList<>(2);
        private String authority;
        private VirtualHost vhost;
        private Route route;
        private Action.Forward forward;
        private Action.WeightedCluster chosen;
        private ClusterSpec cluster;
        private ClusterBalancer balancer;
        private Endpoint lastEndpoint;
        private MultiMap upstreamHeaders;
        private String upstreamUri;
        private HostAndPort upstreamAuthority;
        private String hashKey;
        private Buffer body;
        private int attempts;
        private int generation;
        private HttpClientRequest current;
        private long globalTimer = -1;
        private long tryTimer = -1;
        private boolean done;
        private boolean recorded;

        Exchange(HttpServerRequest req, ListenerView view, SocketAddress originalDst, InboundTls.Outcome downstreamTls) {
            this.req = req;
            this.view = view;
            this.originalDst = originalDst;
            this.downstreamTls = downstreamTls;
            this.trace = TraceContext.fromHeaders(req::getHeader);
            drain.requestStarted();
        }

        void start() {
            if (!req.isEnded()) {
                req.pause();
            }
            authority = req.authority() == null ? "" : req.authority().toString();
            if (view != null && view.routes() != null) {
                vhost = view.routes().select(authority);
                if (vhost != null) {
                    for (Route r : vhost.routes()) {
                        if (r.match().matches(req.uri(), this::header, req::getParam)) {
                            route = r;
                            break;
                        }
                    }
                }
            }
            if (route == null) {
                localReply(LocalReply.NO_ROUTE);
                return;
            }
            req.response().closeHandler(v -> onDownstreamClosed());
            Fault fault = route.fault();
            if (fault != null && fault.delay() != null && roll(fault.delayPerMillion())) {
                flags.add("DI");
                vertx.setTimer(Math.max(1, fault.delay().toMillis()), t -> afterDelay(fault));
            } else {
                afterDelay(fault);
            }
        }

        /** Lets the rest of the request body flow (or be dropped); an HTTP/2 request already ended refuses resume. */
        private void resumeDownstream() {
            if (!req.isEnded()) {
                req.resume();
            }
        }

        private String header(String name) {
            return switch (name) {
                case ":method" -> req.method().name();
                case ":authority" -> authority;
                case ":path" -> req.uri();
                case ":scheme" -> req.scheme();
                default -> req.getHeader(name);
            };
        }

        private void afterDelay(Fault fault) {
            if (fault != null && fault.abortStatus() != null && roll(fault.abortPerMillion())) {
                localReply(fault.abortStatus(), "fault filter abort", "FI");
                return;
            }
            Action action = route.action();
            if (action instanceof Action.DirectResponse d) {
                localReply(d.status(), d.body(), null);
            } else if (action instanceof Action.Redirect r) {
                req.response().putHeader("location", location(r));
                localReply(r.status(), null, null);
            } else {
                forward((Action.Forward) action);
            }
        }

        private String location(Action.Redirect r) {
            String uri = req.uri();
            int q = uri.indexOf('?');
            String path = q < 0 ? uri : uri.substring(0, q);
            String query = q < 0 ? "" : uri.substring(q);
            HostAndPort hp = req.authority();
            String host = r.host() != null ? r.host() : hp == null ? "" : hp.host();
            int port = r.port() != null ? r.port() : r.host() == null && hp != null ? hp.port() : -1;
            String scheme = r.scheme() != null ? r.scheme() : req.scheme();
            if (r.path() != null) {
                int pq = r.path().indexOf('?');
                if (pq >= 0) {
                    path = r.path().substring(0, pq);
                    query = r.path().substring(pq);
                } else {
                    path = r.path();
                }
            } else if (r.prefixRewrite() != null && route.match().pathKind() == RouteMatch.PathKind.PREFIX) {
                path = r.prefixRewrite() + path.substring(Math.min(path.length(), route.match().path().length()));
            }
            if (r.stripQuery()) {
                query = "";
            }
            boolean defaultPort = port < 0 || (port == 80 && scheme.equals("http")) || (port == 443 && scheme.equals("https"));
            return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path + query;
        }

        private void forward(Action.Forward f) {
            forward = f;
            chosen = pickWeighted(f);
            cluster = view.clusters().get(chosen.name());
            if (cluster == null) {
                localReply(LocalReply.NO_CLUSTER);
                return;
            }
            if (cluster.originalDst()) {
                if (originalDst == null) {
                    localReply(LocalReply.NO_HEALTHY_UPSTREAM);
                    return;
                }
                // The passthrough cluster's one endpoint is where the client meant to go.
                balancer = new ClusterBalancer(cluster,
                        List.of(new Endpoint(originalDst.hostAddress(), originalDst.port(), 1, null)));
            } else {
                balancer = balancers.forCluster(cluster, view.endpoints().get(chosen.name()));
            }
            upstreamHeaders = requestHeaders();
            upstreamUri = rewrite(f);
            upstreamAuthority = f.hostRewrite() != null ? HostAndPort.create(f.hostRewrite(), -1)
                    : req.authority() != null ? req.authority() : HostAndPort.create("", -1);
            hashKey = hashKey(f);
            if (f.timeout().toMillis() > 0) {
                globalTimer = vertx.setTimer(f.timeout().toMillis(), t -> onGlobalTimeout());
            }
            long length = contentLength();
            boolean noBody = length == 0 || (length < 0 && req.getHeader("transfer-encoding") == null
                    && (req.version() != HttpVersion.HTTP_2 || req.isEnded()));
            boolean wantsCopy = f.retry().numRetries() > 0 || !f.mirrors().isEmpty();
            if (noBody) {
                body = Buffer.buffer();
                mirror();
                attempt();
            } else if (wantsCopy && length > 0 && length <= settings.maxBufferedBodyBytes()) {
                req.body().onComplete(ar -> {
                    if (ar.failed()) {
                        localReply(LocalReply.UNREADABLE_REQUEST_BODY);
                        return;
                    }
                    body = ar.result();
                    mirror();
                    attempt();
                });
                resumeDownstream();
            } else {
                attempt();
            }
        }

        private long contentLength() {
            String cl = req.getHeader("content-length");
            if (cl == null) {
                return -1;
            }
            try {
                return Long.parseLong(cl.trim());
            } catch (NumberFormatException e) {
                return -1;
            }
        }

        private Action.WeightedCluster pickWeighted(Action.Forward f) {
            if (f.clusters().size() == 1) {
                return f.clusters().get(0);
            }
            int r = ThreadLocalRandom.current().nextInt(f.totalWeight());
            for (Action.WeightedCluster c : f.clusters()) {
                r -= c.weight();
                if (r < 0) {
                    return c;
                }
            }
            return f.clusters().get(f.clusters().size() - 1);
        }

        private String hashKey(Action.Forward f) {
            StringBuilder key = null;
            for (Action.HashPolicy hp : f.hashPolicies()) {
                String v = hp.header() != null ? req.getHeader(hp.header())
                        : hp.cookie() != null ? (req.getCookie(hp.cookie()) == null ? null : req.getCookie(hp.cookie()).getValue())
                        : hp.sourceIp() ? clientAddress() : null;
                if (v != null) {
                    key = key == null ? new StringBuilder(v) : key.append('\u0000').append(v);
                    if (hp.terminal()) {
                        break;
                    }
                }
            }
            return key == null ? null : key.toString();
        }

        /** The client as the listener's connection manager trusts it (Envoy's downstream remote address). */
        private String clientAddress() {
            String peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
            return view.listener().forwardedFor().clientAddress(peer, RequestViews.forwardedFor(req));
        }

        private String rewrite(Action.Forward f) {
            String uri = req.uri();
            if (f.prefixRewrite() != null && route.match().pathKind() == RouteMatch.PathKind.PREFIX) {
                return f.prefixRewrite() + uri.substring(Math.min(uri.length(), route.match().path().length()));
            }
            if (f.regexRewrite() != null) {
                int q = uri.indexOf('?');
                String path = q < 0 ? uri : uri.substring(0, q);
                return f.regexRewrite().matcher(path).replaceAll(f.regexSubstitution()) + (q < 0 ? "" : uri.substring(q));
            }
            return uri;
        }

        private MultiMap requestHeaders() {
            MultiMap out = MultiMap.caseInsensitiveMultiMap();
            String connection = req.getHeader("connection");
            Set<String> listed = connection == null ? Set.of() : Set.of(connection.toLowerCase(Locale.ROOT).split("\\s*,\\s*"));
            for (var e : req.headers()) {
                String name = e.getKey().toLowerCase(Locale.ROOT);
                if (name.equals("host") || listed.contains(name)) {
                    continue;
                }
                if (HOP_BY_HOP.contains(name) && !(name.equals("te") && e.getValue().equalsIgnoreCase("trailers"))) {
                    continue;
                }
                out.add(name, e.getValue());
            }
            forwardedFor(out);
            if (!out.contains("x-forwarded-proto")) {
                out.set("x-forwarded-proto", req.scheme() == null ? "http" : req.scheme());
            }
            if (!out.contains("x-request-id")) {
                out.set("x-request-id", UUID.randomUUID().toString());
            }
            applyRequestOps(out, chosen.headerOps());
            applyRequestOps(out, route.headerOps());
            applyRequestOps(out, vhost.headerOps());
            applyRequestOps(out, view.routes().headerOps());
            trace.propagate(out);
            return out;
        }

        /**
         * {@code x-forwarded-for} and {@code x-envoy-external-address} as the listener's connection manager says: only
         * an edge listener ({@code use_remote_address}) appends the peer and names the trusted client; elsewhere XFF
         * passes as it came, so a request crossing two sidecars carries each address once.
         */
        private void forwardedFor(MultiMap out) {
            ForwardedFor policy = view.listener().forwardedFor();
            String peer = req.remoteAddress() == null ? null : req.remoteAddress().hostAddress();
            String received = RequestViews.forwardedFor(req);
            String sent = policy.upstreamHeader(peer, received);
            if (sent != null && !sent.equals(received)) {
                out.set(ForwardedFor.HEADER, sent);
            }
            if (policy.edge()) {
                // The first hop into the mesh: what the client claims here is replaced by what this proxy saw.
                String client = policy.clientAddress(peer, received);
                if (client != null) {
                    out.set(ForwardedFor.EXTERNAL_ADDRESS, client);
                } else {
                    out.remove(ForwardedFor.EXTERNAL_ADDRESS);
                }
            }
        }

        private void applyRequestOps(MultiMap headers, HeaderOps ops) {
            if (ops.isEmpty()) {
                return;
            }
            for (HeaderOps.HeaderValue v : ops.requestAdd()) {
                if (v.append()) {
                    headers.add(v.name(), v.value());
                } else {
                    headers.set(v.name(), v.value());
                }
            }
            ops.requestRemove().forEach(headers::remove);
        }

        private void applyResponseOps(MultiMap headers, HeaderOps ops) {
            if (ops.isEmpty()) {
                return;
            }
            for (HeaderOps.HeaderValue v : ops.responseAdd()) {
                if (v.append()) {
                    headers.add(v.name(), v.value());
                } else {
                    headers.set(v.name(), v.value());
                }
            }
            ops.responseRemove().forEach(headers::remove);
        }

        private void mirror() {
            for (Action.Mirror m : forward.mirrors()) {
                if (!roll(m.perMillion())) {
                    continue;
                }
                ClusterSpec spec = view.clusters().get(m.cluster());
                if (spec == null) {
                    continue;
                }
                ClusterBalancer b = balancers.forCluster(spec, view.endpoints().get(m.cluster()));
                int idx = b.pick(hashKey, ThreadLocalRandom.current());
                if (idx < 0) {
                    continue;
                }
                Endpoint ep = b.endpoint(idx);
                HostAndPort shadow = HostAndPort.create(upstreamAuthority.host() + "-shadow", upstreamAuthority.port());
                Buffer copy = body;
                clientFor(spec, ep).request(options(spec, ep))
                        .compose(r -> r.authority(shadow).send(copy))
                        .compose(HttpClientResponse::body)
                        .onFailure(e -> { /* a mirror's fate never reaches the caller, as in Envoy */ });
            }
        }

        private RequestOptions options(ClusterSpec spec, Endpoint ep) {
            return new RequestOptions().setHost(ep.host()).setPort(ep.port()).setMethod(req.method())
                    .setURI(upstreamUri).setHeaders(MultiMap.caseInsensitiveMultiMap().addAll(upstreamHeaders))
                    .setConnectTimeout(spec.connectTimeout().toMillis());
        }

        private void attempt() {
            if (done) {
                return;
            }
            int idx = balancer.pick(hashKey, ThreadLocalRandom.current());
            if (idx < 0) {
                localReply(LocalReply.NO_HEALTHY_UPSTREAM);
                return;
            }
            if (!balancer.tryStart(idx)) {
                localReply(LocalReply.UPSTREAM_OVERFLOW);
                return;
            }
            Endpoint ep = balancer.endpoint(idx);
            lastEndpoint = ep;
            attempts++;
            int gen = ++generation;
            long tryStart = System.nanoTime();
            RetryPolicy retry = forward.retry();
            if (retry.perTryTimeout().toMillis() > 0) {
                tryTimer = vertx.setTimer(retry.perTryTimeout().toMillis(), t -> onTryTimeout(gen));
            }
            Buffer payload = body;
            clientFor(cluster, ep).request(options(cluster, ep)).compose(creq -> {
                if (gen != generation || done) {
                    creq.reset();
                    return io.vertx.core.Future.failedFuture("attempt abandoned");
                }
                current = creq;
                creq.authority(upstreamAuthority);
                return payload != null ? creq.send(payload) : req.isEnded() ? creq.send() : creq.send(req);
            }).onComplete(ar -> {
                balancer.finished(idx);
                if (ar.failed() && gen == generation && !done) {
                    balancer.outcome(idx, 0);
                } else if (ar.succeeded()) {
                    balancer.outcome(idx, ar.result().statusCode());
                }
                if (gen != generation || done) {
                    if (ar.succeeded()) {
                        ar.result().request().reset();
                    }
                    return;
                }
                cancelTryTimer();
                if (ar.failed()) {
                    onAttemptFailed(ar.cause());
                } else {
                    onResponse(ar.result(), tryStart);
                }
            });
        }

        private boolean canRetry() {
            return body != null && attempts <= forward.retry().numRetries();
        }

        private void retryLater() {
            long ceiling = Math.min(250, 25L << Math.min(attempts - 1, 4));
            vertx.setTimer(1 + ThreadLocalRandom.current().nextLong(ceiling), t -> attempt());
        }

        private void onAttemptFailed(Throwable cause) {
            boolean connectFailure = cause instanceof ConnectException
                    || cause instanceof io.netty.channel.ConnectTimeoutException;
            RetryPolicy retry = forward.retry();
            boolean retriable = connectFailure ? retry.retriesConnectFailure()
                    : retry.retryOn().contains("reset") || retry.retryOn().contains("5xx") || retry.retryOn().contains("gateway-error");
            if (retriable && canRetry()) {
                retryLater();
                return;
            }
            if (retriable && forward.retry().numRetries() > 0) {
                flags.add("URX");
            }
            localReply(connectFailure ? LocalReply.CONNECT_FAILURE : LocalReply.UPSTREAM_RESET);
        }

        private void onTryTimeout(int gen) {
            if (gen != generation || done) {
                return;
            }
            generation++;
            if (current != null) {
                current.reset();
            }
            if (forward.retry().retriesTimeout() && canRetry()) {
                retryLater();
            } else {
                localReply(LocalReply.UPSTREAM_TIMEOUT);
            }
        }

        /** The client went away before its response was complete: stop the upstream side too. */
        private void onDownstreamClosed() {
            if (recorded) {
                return;
            }
            generation++;
            cancelGlobalTimer();
            cancelTryTimer();
            if (current != null) {
                current.reset();
            }
            done = true;
            flags.add("DC");
            record(0);
        }

        private void onGlobalTimeout() {
            globalTimer = -1;
            if (done) {
                return;
            }
            generation++;
            if (current != null) {
                current.reset();
            }
            localReply(LocalReply.UPSTREAM_TIMEOUT);
        }

        private void onResponse(HttpClientResponse resp, long tryStart) {
            int status = resp.statusCode();
            RetryPolicy retry = forward.retry();
            if (retry.retriesStatus(status)) {
                if (canRetry()) {
                    resp.body();
                    retryLater();
                    return;
                }
                if (retry.numRetries() > 0) {
                    flags.add("URX");
                }
            }
            done = true;
            cancelGlobalTimer();
            resumeDownstream();
            HttpServerResponse out = req.response();
            out.setStatusCode(status);
            MultiMap headers = out.headers();
            for (var e : resp.headers()) {
                String name = e.getKey().toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(name)) {
                    headers.add(name, e.getValue());
                }
            }
            upstreamServiceMillis = (System.nanoTime() - tryStart) / 1_000_000;
            upstreamPrincipal = upstreamPeer(resp);
            headers.set("x-envoy-upstream-service-time", Long.toString(upstreamServiceMillis));
            headers.set("server", "istio-envoy");
            if (drain.draining() && req.version() != HttpVersion.HTTP_2) {
                headers.set("connection", "close");
            }
            applyResponseOps(headers, chosen.headerOps());
            applyResponseOps(headers, route.headerOps());
            applyResponseOps(headers, vhost.headerOps());
            applyResponseOps(headers, view.routes().headerOps());
            if (!headers.contains("content-length") && req.version() == HttpVersion.HTTP_1_1) {
                out.setChunked(true);
            }
            // Ended by hand so that trailers (gRPC's grpc-status) follow the body.
            resp.pipe().endOnComplete(false).to(out).onComplete(ar -> {
                if (ar.failed()) {
                    flags.add("UPE");
                    out.reset();
                    record(status);
                    return;
                }
                if (!resp.trailers().isEmpty()) {
                    out.trailers().addAll(resp.trailers());
                }
                record(status);
                out.end();
            });
        }

        private void localReply(LocalReply reply) {
            localReply(reply.status, reply.body, reply.flag);
        }

        private void localReply(int status, String text, String flag) {
            if (done) {
                return;
            }
            done = true;
            cancelGlobalTimer();
            cancelTryTimer();
            if (flag != null) {
                flags.add(flag);
            }
            resumeDownstream();
            HttpServerResponse out = req.response();
            if (out.headWritten()) {
                out.reset();
                record(status);
                return;
            }
            out.setStatusCode(status);
            if (route != null && !(route.action() instanceof Action.Forward)) {
                applyResponseOps(out.headers(), route.headerOps());
                applyResponseOps(out.headers(), vhost.headerOps());
                applyResponseOps(out.headers(), view.routes().headerOps());
            }
            out.headers().set("server", "istio-envoy");
            if (drain.draining() && req.version() != HttpVersion.HTTP_2) {
                out.headers().set("connection", "close");
            }
            if (text == null || text.isEmpty()) {
                out.end();
            } else {
                out.putHeader("content-type", "text/plain");
                out.end(text);
            }
            record(status);
        }

        private void record(int status) {
            if (recorded) {
                return;
            }
            recorded = true;
            drain.requestEnded();
            String proto = req.version() == HttpVersion.HTTP_2
                    && String.valueOf(req.getHeader("content-type")).startsWith("application/grpc") ? "grpc" : "http";
            String responseFlags = flags.isEmpty() ? "-" : String.join(",", flags);
            long durationNanos = System.nanoTime() - startNanos;
            RequestRecord r = requestRecord(status, responseFlags, proto, durationNanos);
            stats.record(r);
            for (RequestObserver o : observers) {
                try {
                    o.onRequest(r);
                } catch (RuntimeException e) {
                    org.jboss.logging.Logger.getLogger(RouterHandler.class).warnf(e, "request observer %s failed", o);
                }
            }
        }

        /**
         * Who called whom. Inbound (this proxy is the destination): the caller is known by its mesh certificate only
         * (no peer metadata exchange), and {@code connection_security_policy} says whether the connection was mutual
         * TLS. Outbound: this proxy is the source, the destination is the chosen endpoint's workload (EDS metadata)
         * and the principal its certificate showed; Istio reports the policy as {@code unknown} on this side.
         */
        private RequestRecord requestRecord(int status, String responseFlags, String proto, long durationNanos) {
            String service = cluster == null ? null : cluster.serviceHost();
            String serviceNamespace = cluster == null ? null : cluster.serviceNamespace();
            String local = localPrincipal.get();
            String self = local == null || local.isEmpty() ? null : local;
            boolean inbound = view != null && view.listener().inbound();
            RequestRecord.Workload source;
            RequestRecord.Workload destination;
            String policy;
            if (inbound) {
                String peer = downstreamTls.peer().map(PeerIdentity::uri).filter(u -> !u.isEmpty()).orElse(null);
                boolean mtls = downstreamTls.securityPolicy().equals("mutual_tls");
                source = new RequestRecord.Workload(null, namespaceOf(peer), null, null, peer);
                destination = new RequestRecord.Workload(settings.sourceWorkload(), settings.sourceNamespace(),
                        settings.sourceApp(), settings.sourceVersion(), mtls ? self : null);
                policy = mtls ? "mutual_tls" : "none";
            } else {
                Endpoint ep = lastEndpoint;
                source = new RequestRecord.Workload(settings.sourceWorkload(), settings.sourceNamespace(),
                        settings.sourceApp(), settings.sourceVersion(), upstreamPrincipal != null ? self : null);
                destination = ep == null ? RequestRecord.Workload.UNKNOWN
                        : new RequestRecord.Workload(ep.workload(), ep.namespace() != null ? ep.namespace() : serviceNamespace,
                                ep.app(), ep.version() != null ? ep.version() : cluster.subset(), upstreamPrincipal);
                policy = "unknown";
            }
            String protocol = proto.equals("grpc") || req.version() == HttpVersion.HTTP_2 ? "HTTP/2"
                    : req.version() == HttpVersion.HTTP_1_0 ? "HTTP/1.0" : "HTTP/1.1";
            MultiMap sent = upstreamHeaders != null ? upstreamHeaders : req.headers();
            return new RequestRecord(startMillis, req.method().name(), req.uri(), protocol, status,
                    responseFlags, req.bytesRead(), req.response().bytesWritten(), durationNanos / 1_000_000,
                    upstreamServiceMillis, sent.get("x-forwarded-for"), req.getHeader("user-agent"),
                    sent.get("x-request-id"), authority, lastEndpoint == null ? null : lastEndpoint.key(),
                    cluster == null ? null : cluster.name(), route == null ? null : route.name(),
                    req.remoteAddress() == null ? null : req.remoteAddress().toString(),
                    inbound ? "destination" : "source", source, destination, service, serviceNamespace, proto, policy,
                    trace, durationNanos);
        }

        private void cancelGlobalTimer() {
            if (globalTimer >= 0) {
                vertx.cancelTimer(globalTimer);
                globalTimer = -1;
            }
        }

        private void cancelTryTimer() {
            if (tryTimer >= 0) {
                vertx.cancelTimer(tryTimer);
                tryTimer = -1;
            }
        }
    }

    /** The SPIFFE id the upstream's certificate carried, when the response came over TLS with one. */
    private static String upstreamPeer(HttpClientResponse resp) {
        var connection = resp.request().connection();
        if (connection == null || !connection.isSsl()) {
            return null;
        }
        String uri = PeerIdentity.of(connection.sslSession()).map(PeerIdentity::uri).orElse("");
        return uri.isEmpty() ? null : uri;
    }

    /** The namespace a SPIFFE id names ({@code spiffe://<td>/ns/<ns>/sa/<sa>}), else null. */
    static String namespaceOf(String principal) {
        if (principal == null) {
            return null;
        }
        int ns = principal.indexOf("/ns/");
        if (ns < 0) {
            return null;
        }
        int end = principal.indexOf('/', ns + 4);
        return end < 0 ? null : principal.substring(ns + 4, end);
    }
}
