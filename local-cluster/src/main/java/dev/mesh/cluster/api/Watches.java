package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Watches as clients expect them, whatever the transport: the store only streams changes over a
 * websocket, from the moment it is opened; this adds the API server's resourceVersion semantics
 * (no version or "0": every current object first as ADDED; a version: the changes after it),
 * field selectors, Table events, and hands the events to a sink (a chunked HTTP response for
 * kubectl, a websocket for fabric8 clients).
 */
final class Watches {

    private static final Logger LOG = Logger.getLogger(Watches.class);
    /** When a watch lists again after it started, for changes the store's watcher was not yet registered for. */
    private static final long[] CATCH_UP_MILLIS = {500, 2000};

    /** Where events go; called from one thread at a time. */
    interface Sink {
        void send(String eventJson);

        void end();

        /** Runs {@code onClose} when the client goes away. */
        void onClose(Runnable onClose);
    }

    private final ApiHandler api;
    private final String storeWsBase;
    private final Clock clock;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    Watches(ApiHandler api, String storeHttpBase, Clock clock) {
        this.api = api;
        this.storeWsBase = storeHttpBase.replaceFirst("^http", "ws");
        this.clock = clock;
    }

    /** Starts the watch of {@code p} (blocking until the initial events are sent). */
    void start(ApiHandler.Call c, ApiPath p, Sink sink) {
        String nameFilter = p.name() != null ? p.name() : ApiHandler.fieldSelectorValue(c.rawQuery(), "metadata.name");
        String nsFilter = ApiHandler.fieldSelectorValue(c.rawQuery(), "metadata.namespace");
        boolean table = Tables.wanted(c.accept());
        String includeObject = c.param("includeObject");
        String rvParam = c.param("resourceVersion");
        long since = rvParam == null || rvParam.isEmpty() ? 0 : parseRv(rvParam);
        String labelQuery = ApiHandler.storeQuery(c.rawQuery());
        String url = storeWsBase + p.collectionPath() + "?watch=true" + (labelQuery.isEmpty() ? "" : "&" + labelQuery);

        Relay relay = new Relay(p.type(), sink, nameFilter, nsFilter, table, includeObject, since);
        WebSocket ws;
        try {
            ws = http.newWebSocketBuilder().buildAsync(URI.create(url), relay).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new ApiException(503, "ServiceUnavailable", "cannot watch " + p.collectionPath() + " in the store: " + e.getMessage());
        }
        sink.onClose(() -> ws.abort());
        ObjectNode list = api.listObjects(p.type(), p.namespace(), c.rawQuery());
        relay.initial(list, since == 0);
        // The store registers its watcher some time after the websocket opened, and a change in between reaches
        // neither the list above nor the websocket: list again shortly after and send what changed meanwhile.
        for (long delay : CATCH_UP_MILLIS) {
            CompletableFuture.delayedExecutor(delay, TimeUnit.MILLISECONDS).execute(() -> {
                try {
                    relay.catchUp(api.listObjects(p.type(), p.namespace(), c.rawQuery()));
                } catch (RuntimeException e) {
                    LOG.debugf("catching up the watch of %s failed: %s", p.collectionPath(), e.getMessage());
                }
            });
        }
        String timeout = c.param("timeoutSeconds");
        if (timeout != null) {
            try {
                long seconds = Long.parseLong(timeout);
                CompletableFuture.delayedExecutor(seconds, TimeUnit.SECONDS).execute(() -> {
                    ws.abort();
                    relay.finish();
                });
            } catch (NumberFormatException e) {
                LOG.debugf("ignoring timeoutSeconds=%s", timeout);
            }
        }
    }

    private static long parseRv(String rv) {
        try {
            return Long.parseLong(rv);
        } catch (NumberFormatException e) {
            throw ApiException.badRequest("resourceVersion must be a number from a list or an object, was " + rv);
        }
    }

    /** Orders the initial events before the store's and drops changes the initial list already covered. */
    private final class Relay implements WebSocket.Listener {
        private final ResourceType type;
        private final Sink sink;
        private final String nameFilter;
        private final String nsFilter;
        private final boolean table;
        private final String includeObject;
        private final long since;
        private final Map<String, Long> sent = new HashMap<>();
        private final StringBuilder partial = new StringBuilder();
        private List<JsonNode> queued = new ArrayList<>();
        private boolean finished;

        Relay(ResourceType type, Sink sink, String nameFilter, String nsFilter, boolean table, String includeObject, long since) {
            this.type = type;
            this.sink = sink;
            this.nameFilter = nameFilter;
            this.nsFilter = nsFilter;
            this.table = table;
            this.includeObject = includeObject;
            this.since = since;
        }

        synchronized void initial(ObjectNode list, boolean allAsAdded) {
            for (JsonNode item : list.path("items")) {
                long rv = rv(item);
                if (allAsAdded || rv > since) {
                    emit(allAsAdded ? "ADDED" : "MODIFIED", item);
                }
            }
            List<JsonNode> pending = queued;
            queued = null;
            pending.forEach(this::onEvent);
        }

        /**
         * Sends what {@code list} holds newer than what was sent (or, for an object never sent, newer than the
         * watch's version): changes that happened before the store's watcher was registered. An object deleted in
         * that window is not seen.
         */
        synchronized void catchUp(ObjectNode list) {
            if (queued != null) {
                return;
            }
            for (JsonNode item : list.path("items")) {
                long rv = rv(item);
                Long already = sent.get(key(item));
                if (already == null && (since == 0 || rv > since)) {
                    emit(since == 0 ? "ADDED" : "MODIFIED", item);
                } else if (already != null && rv > already) {
                    emit("MODIFIED", item);
                }
            }
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                try {
                    JsonNode event = Store.JSON.readTree(text);
                    synchronized (this) {
                        if (queued != null) {
                            queued.add(event);
                        } else {
                            onEvent(event);
                        }
                    }
                } catch (IOException e) {
                    LOG.warnf("the store sent a watch event that is not JSON on %s: %s", type.plural(), e.getMessage());
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            finish();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            LOG.debugf("watch of %s from the store ended: %s", type.plural(), error.getMessage());
            finish();
        }

        synchronized void finish() {
            if (!finished) {
                finished = true;
                sink.end();
            }
        }

        private void onEvent(JsonNode event) {
            String kind = event.path("type").asText();
            JsonNode obj = event.path("object");
            long rv = rv(obj);
            if (!kind.equals("DELETED")) {
                Long already = sent.get(key(obj));
                if ((already != null && rv <= already) || (since > 0 && rv <= since)) {
                    return;
                }
            }
            emit(kind, obj);
        }

        private void emit(String kind, JsonNode obj) {
            if (finished) {
                return;
            }
            JsonNode meta = obj.path("metadata");
            if (nameFilter != null && !nameFilter.equals(meta.path("name").asText())) {
                return;
            }
            if (nsFilter != null && !nsFilter.equals(meta.path("namespace").asText())) {
                return;
            }
            sent.put(key(obj), rv(obj));
            ObjectNode out = Store.JSON.createObjectNode();
            out.put("type", kind);
            out.set("object", table ? Tables.table(type, List.of(obj), includeObject, meta.path("resourceVersion").asText(null),
                    clock.instant(), true) : obj);
            try {
                sink.send(Store.JSON.writeValueAsString(out));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private String key(JsonNode obj) {
            return obj.path("metadata").path("namespace").asText("") + "/" + obj.path("metadata").path("name").asText();
        }

        private long rv(JsonNode obj) {
            return obj.path("metadata").path("resourceVersion").asLong(0);
        }
    }
}
