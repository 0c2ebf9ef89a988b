package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;

/**
 * The API's request semantics over the store, blocking (run on a worker): discovery, reviews,
 * create with the API server's defaulting, update and patch with optimistic concurrency and
 * status/spec separation, subresources (status, scale, log, token, finalize), deletion with
 * finalizers, Table output.
 */
final class ApiHandler {

    /** One request as the front received it, from the authenticated {@code user}. */
    record Call(String method, String path, String rawQuery, Map<String, List<String>> query, String accept,
            String contentType, byte[] body, UserInfo user) {

        String param(String name) {
            List<String> v = query.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        boolean dryRun() {
            return param("dryRun") != null;
        }
    }

    /** The answer to send back. */
    record Answer(int code, String contentType, byte[] body) {
        static Answer json(int code, JsonNode node) {
            try {
                return new Answer(code, "application/json", Store.JSON.writeValueAsBytes(node));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        static Answer text(int code, String text) {
            return new Answer(code, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
        }
    }

    static final String VERSION = "v1.32.0";
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final String NAME_SUFFIX_CHARS = "bcdfghjklmnpqrstvwxz2456789";
    private static final int CONFLICT_RETRIES = 8;

    private final Store store;
    private final ResourceCatalog catalog;
    private final TokenIssuer tokens;
    private final Clock clock;
    private final ClusterIpAllocator clusterIps;
    private final Supplier<PodLogProvider> logs;
    private final Supplier<MutatingAdmission> admission;
    private final RbacAuthorizer rbac;
    private final SecureRandom random = new SecureRandom();

    ApiHandler(Store store, ResourceCatalog catalog, TokenIssuer tokens, Clock clock, Supplier<PodLogProvider> logs,
            Supplier<MutatingAdmission> admission) {
        this.store = store;
        this.catalog = catalog;
        this.tokens = tokens;
        this.clock = clock;
        this.logs = logs;
        this.admission = admission;
        this.clusterIps = new ClusterIpAllocator(store);
        this.rbac = new RbacAuthorizer(path -> {
            List<JsonNode> items = new ArrayList<>();
            store.list(path, "").path("items").forEach(items::add);
            return items;
        });
    }

    ResourceCatalog catalog() {
        return catalog;
    }

    Answer handle(Call c, String serverAddress) {
        try {
            return route(c, serverAddress);
        } catch (ApiException e) {
            return Answer.json(e.code(), e.toStatus());
        }
    }

    private Answer route(Call c, String serverAddress) {
        String p = c.path().length() > 1 && c.path().endsWith("/") ? c.path().substring(0, c.path().length() - 1) : c.path();
        switch (p) {
            case "/version":
                return Answer.json(200, version());
            case "/api":
                return Answer.json(200, catalog.apiVersions(serverAddress));
            case "/apis":
                return Answer.json(200, catalog.apiGroupList());
            case "/healthz", "/livez", "/readyz":
                return Answer.text(200, "ok");
            default:
                break;
        }
        String[] seg = p.replaceAll("^/+", "").split("/");
        if (p.equals("/openapi/v3")) {
            return Answer.json(200, catalog.openApiV3Root());
        }
        if (seg.length >= 4 && seg[0].equals("openapi") && seg[1].equals("v3")) {
            boolean core = seg[2].equals("api") && seg.length == 4;
            boolean grouped = seg[2].equals("apis") && seg.length == 5;
            if (core || grouped) {
                return Answer.json(200, (core ? catalog.openApiV3("", seg[3]) : catalog.openApiV3(seg[3], seg[4]))
                        .orElseThrow(ApiHandler::notFoundPath));
            }
            throw notFoundPath();
        }
        if (seg.length == 2 && seg[0].equals("api")) {
            return Answer.json(200, catalog.apiResourceList("", seg[1]).orElseThrow(ApiHandler::notFoundPath));
        }
        if (seg.length == 2 && seg[0].equals("apis")) {
            return Answer.json(200, catalog.apiGroup(seg[1]).orElseThrow(ApiHandler::notFoundPath));
        }
        if (seg.length == 3 && seg[0].equals("apis")) {
            return Answer.json(200, catalog.apiResourceList(seg[1], seg[2]).orElseThrow(ApiHandler::notFoundPath));
        }
        ApiPath path = ApiPath.parse(p, catalog);
        return resource(c, path);
    }

    private static ApiException notFoundPath() {
        return ApiException.notFound("the server could not find the requested resource");
    }

    private ObjectNode version() {
        ObjectNode v = Store.JSON.createObjectNode();
        v.put("major", "1").put("minor", "32").put("gitVersion", VERSION).put("gitCommit", "mesh-local-cluster")
                .put("gitTreeState", "clean").put("buildDate", "2026-01-01T00:00:00Z").put("goVersion", "go1.23")
                .put("compiler", "gc").put("platform", "linux/amd64");
        return v;
    }

    // ---- resources ----

    private Answer resource(Call c, ApiPath p) {
        ResourceType t = p.type();
        if (catalog.createOnly(t)) {
            if (!c.method().equals("POST") || p.name() != null) {
                throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            }
            return Answer.json(201, review(t, body(c), c.user()));
        }
        if (t.plural().equals("customresourcedefinitions") && !c.method().equals("GET")) {
            try {
                return resourceVerb(c, p);
            } finally {
                catalog.invalidate();
            }
        }
        return resourceVerb(c, p);
    }

    private Answer resourceVerb(Call c, ApiPath p) {
        String sub = p.subresource();
        if (sub != null) {
            return subresource(c, p);
        }
        if (p.name() == null) {
            return switch (c.method()) {
                case "GET" -> list(c, p);
                case "POST" -> Answer.json(201, create(p, body(c), c.dryRun()));
                case "DELETE" -> deleteCollection(c, p);
                default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
            };
        }
        return switch (c.method()) {
            case "GET" -> getOne(c, p);
            case "PUT" -> Answer.json(200, update(p, body(c), c.dryRun()));
            case "PATCH" -> Answer.json(200, modify(p, c.dryRun(), current -> patched(c, p, current)));
            case "DELETE" -> Answer.json(200, delete(p, c.dryRun()));
            case "POST" -> throw ApiException.methodNotAllowed("POST is not allowed on a named " + p.type().kind()
                    + "; POST to the collection " + p.collectionPath());
            default -> throw ApiException.methodNotAllowed("the server does not allow this method on the requested resource");
        };
    }

    private JsonNode body(Call c) {
        String ct = c.contentType() == null ? "" : c.contentType().toLowerCase();
        if (c.body() == null || c.body().length == 0) {
            throw ApiException.badRequest("the request has no body; send the object as JSON");
        }
        if (ct.contains("protobuf")) {
            return ProtobufBodies.decode(c.body());
        }
        try {
            JsonNode n = ct.contains("yaml") ? Store.JSON.readTree(yamlToJson(c.body())) : Store.JSON.readTree(c.body());
            if (n == null) {
                throw ApiException.badRequest("the request body is empty");
            }
            return n;
        } catch (IOException e) {
            throw ApiException.badRequest("the request body is not valid JSON: " + e.getMessage());
        }
    }

    private static byte[] yamlToJson(byte[] yaml) throws IOException {
        Object tree = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory())
                .readValue(yaml, Object.class);
        return Store.JSON.writeValueAsBytes(tree);
    }

    private Answer list(Call c, ApiPath p) {
        ObjectNode list = listObjects(p.type(), p.namespace(), c.rawQuery());
        if (Tables.wanted(c.accept())) {
            List<JsonNode> items = new ArrayList<>();
            list.path("items").forEach(items::add);
            return Answer.json(200, Tables.table(p.type(), items, c.param("includeObject"),
                    list.path("metadata").path("resourceVersion").asText(null), clock.instant(), true));
        }
        return Answer.json(200, list);
    }

    /** The collection as the API server lists it: {@code <Kind>List} with the store's resourceVersion. */
    ObjectNode listObjects(ResourceType t, String namespace, String rawQuery) {
        String query = storeQuery(rawQuery);
        ObjectNode raw = store.list(t.collectionPath(namespace), query);
        String nameFilter = fieldSelectorValue(rawQuery, "metadata.name");
        String nsFilter = fieldSelectorValue(rawQuery, "metadata.namespace");
        ObjectNode out = Store.JSON.createObjectNode();
        out.put("kind", t.kind() + "List").put("apiVersion", t.groupVersion());
        ObjectNode meta = out.putObject("metadata");
        ArrayNode items = out.putArray("items");
        long rv = raw.path("metadata").path("resourceVersion").asLong(0);
        List<JsonNode> sorted = new ArrayList<>();
        raw.path("items").forEach(sorted::add);
        sorted.sort(java.util.Comparator.comparing((JsonNode i) -> i.path("metadata").path("namespace").asText(""))
                .thenComparing(i -> i.path("metadata").path("name").asText("")));
        for (JsonNode item : sorted) {
            rv = Math.max(rv, item.path("metadata").path("resourceVersion").asLong(0));
            if (nameFilter != null && !nameFilter.equals(item.path("metadata").path("name").asText())) {
                continue;
            }
            if (nsFilter != null && !nsFilter.equals(item.path("metadata").path("namespace").asText())) {
                continue;
            }
            items.add(item);
        }
        meta.put("resourceVersion", Long.toString(rv));
        return out;
    }

    /** The store's newest resourceVersion (a watch from it sees every later change). */
    long currentResourceVersion() {
        JsonNode n = store.list("/api/v1/namespaces", "").path("metadata").path("resourceVersion");
        return n.asLong(0);
    }

    /** The query the store understands: label selectors go through; field selectors are applied here. */
    static String storeQuery(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) {
            return "";
        }
        List<String> kept = new ArrayList<>();
        for (String part : rawQuery.split("&")) {
            if (part.startsWith("labelSelector=")) {
                kept.add(part);
            }
        }
        return String.join("&", kept);
    }

    /** The value {@code field=value} (or {@code ==}) in the request's fieldSelector, or null. */
    static String fieldSelectorValue(String rawQuery, String field) {
        if (rawQuery == null) {
            return null;
        }
        for (String part : rawQuery.split("&")) {
            if (part.startsWith("fieldSelector=")) {
                String sel = java.net.URLDecoder.decode(part.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
                for (String term : sel.split(",")) {
                    String[] kv = term.split("==|=", 2);
                    if (kv.length == 2 && kv[0].trim().equals(field)) {
                        return kv[1].trim();
                    }
                }
            }
        }
        return null;
    }

    private Answer getOne(Call c, ApiPath p) {
        ObjectNode o = mustGet(p);
        if (Tables.wanted(c.accept())) {
            return Answer.json(200, Tables.table(p.type(), List.of(o), c.param("includeObject"),
                    o.path("metadata").path("resourceVersion").asText(null), clock.instant(), true));
        }
        return Answer.json(200, o);
    }

    private ObjectNode mustGet(ApiPath p) {
        ObjectNode o = store.get(p.objectPath());
        if (o == null) {
            throw ApiException.notFound(p.type().qualifiedName(), p.name());
        }
        return o;
    }

    // ---- create ----

    ObjectNode create(ApiPath p, JsonNode body, boolean dryRun) {
        if (!(body instanceof ObjectNode obj)) {
            throw ApiException.badRequest("the body must be a " + p.type().kind() + " object");
        }
        ResourceType t = p.type();
        obj = obj.deepCopy();
        checkKind(t, obj);
        obj.put("apiVersion", t.groupVersion()).put("kind", t.kind());
        ObjectNode meta = obj.with("metadata");
        String name = meta.path("name").asText("");
        if (name.isEmpty()) {
            String prefix = meta.path("generateName").asText("");
            if (prefix.isEmpty()) {
                throw ApiException.invalid(t.kind() + " is invalid: metadata.name: Required value: name or generateName is required");
            }
            name = prefix + randomSuffix();
        }
        if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
            throw ApiException.invalid(t.kind() + " \"" + name + "\" is invalid: metadata.name: Invalid value: \"" + name
                    + "\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    + "and must start and end with an alphanumeric character");
        }
        meta.put("name", name);
        if (t.namespaced()) {
            String ns = p.namespace() != null ? p.namespace() : meta.path("namespace").asText("default");
            if (meta.hasNonNull("namespace") && !meta.path("namespace").asText().equals(ns)) {
                throw ApiException.badRequest("the namespace of the provided object (" + meta.path("namespace").asText()
                        + ") does not match the namespace sent on the request (" + ns + ")");
            }
            meta.put("namespace", ns);
            ObjectNode nsObj = store.get("/api/v1/namespaces/" + ns);
            if (nsObj == null) {
                throw ApiException.notFound("namespaces \"" + ns + "\" not found");
            }
            if (nsObj.path("metadata").has("deletionTimestamp")) {
                throw ApiException.forbidden(t.qualifiedName() + " \"" + name + "\" is forbidden: unable to create new content in namespace "
                        + ns + " because it is being terminated");
            }
        } else {
            meta.remove("namespace");
        }
        meta.put("uid", UUID.randomUUID().toString());
        meta.put("creationTimestamp", now());
        meta.put("generation", 1);
        meta.remove("resourceVersion");
        meta.remove("deletionTimestamp");
        meta.remove("managedFields");
        meta.remove("selfLink");
        Defaults.onCreate(t, obj, clusterIps);
        if (t.namespaced()) {
            obj = admit(t, obj, meta.path("namespace").asText());
        }
        if (dryRun) {
            return obj;
        }
        Store.Reply r = store.create(t.collectionPath(t.namespaced() ? meta.path("namespace").asText() : null), obj);
        if (r.code() == 409) {
            throw ApiException.alreadyExists(t.qualifiedName(), name);
        }
        return r.object(t.kind() + " " + name);
    }

    /** Runs mutating admission over a namespaced create when any MutatingWebhookConfiguration is stored. */
    private ObjectNode admit(ResourceType t, ObjectNode obj, String namespace) {
        MutatingAdmission chain = admission.get();
        if (chain == null) {
            return obj;
        }
        List<JsonNode> configurations = new ArrayList<>();
        store.list("/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations", null).path("items")
                .forEach(configurations::add);
        if (configurations.isEmpty()) {
            return obj;
        }
        MutatingAdmission.Result result = chain.admit(t.group(), t.version(), t.kind(), t.plural(), namespace, obj,
                store.get("/api/v1/namespaces/" + namespace), configurations);
        if (result instanceof MutatingAdmission.Result.Rejected rejected) {
            String reason = switch (rejected.code()) {
                case 400 -> "BadRequest";
                case 403 -> "Forbidden";
                default -> "InternalError";
            };
            throw new ApiException(rejected.code(), reason, rejected.message());
        }
        JsonNode admitted = ((MutatingAdmission.Result.Admitted) result).object();
        if (!(admitted instanceof ObjectNode admittedObject)) {
            throw new ApiException(500, "InternalError", "admission returned no object for " + t.kind());
        }
        return admittedObject;
    }

    private void checkKind(ResourceType t, ObjectNode obj) {
        String kind = obj.path("kind").asText("");
        String apiVersion = obj.path("apiVersion").asText("");
        if ((!kind.isEmpty() && !kind.equals(t.kind())) || (!apiVersion.isEmpty() && !apiVersion.equals(t.groupVersion()))) {
            throw ApiException.badRequest("the API version in the data (" + apiVersion + ") and kind (" + kind
                    + ") do not match the request (" + t.groupVersion() + ", " + t.kind() + ")");
        }
    }

    private String randomSuffix() {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            b.append(NAME_SUFFIX_CHARS.charAt(random.nextInt(NAME_SUFFIX_CHARS.length())));
        }
        return b.toString();
    }

    String now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    }

    // ---- update, patch ----

    /** PUT of the whole object: optimistic concurrency on the body's resourceVersion when it has one. */
    private ObjectNode update(ApiPath p, JsonNode body, boolean dryRun) {
        if (!(body instanceof ObjectNode obj)) {
            throw ApiException.badRequest("the body must be a " + p.type().kind() + " object");
        }
        checkKind(p.type(), obj);
        String bodyName = obj.path("metadata").path("name").asText("");
        if (!bodyName.isEmpty() && !bodyName.equals(p.name())) {
            throw ApiException.badRequest("the name of the object (" + bodyName + ") does not match the name on the URL ("
                    + p.name() + ")");
        }
        ObjectNode current = mustGet(p);
        String wantRv = obj.path("metadata").path("resourceVersion").asText("");
        if (!wantRv.isEmpty() && !wantRv.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw conflict(p);
        }
        ObjectNode next = prepareUpdate(p, current, obj.deepCopy(), false);
        return write(p, current, next, dryRun);
    }

    /** Read, change, write; retried when another writer got in between (as the API server does for patches). */
    private ObjectNode modify(ApiPath p, boolean dryRun, UnaryOperator<ObjectNode> change) {
        for (int attempt = 0; ; attempt++) {
            ObjectNode current = mustGet(p);
            ObjectNode next = change.apply(current.deepCopy());
            try {
                return write(p, current, next, dryRun);
            } catch (ApiException e) {
                if (e.code() != 409 || attempt >= CONFLICT_RETRIES) {
                    throw e;
                }
            }
        }
    }

    private ObjectNode patched(Call c, ApiPath p, ObjectNode current) {
        JsonNode patch;
        try {
            patch = Store.JSON.readTree(c.body() == null ? new byte[0] : c.body());
        } catch (IOException e) {
            throw ApiException.badRequest("the patch is not valid JSON: " + e.getMessage());
        }
        if (patch == null) {
            throw ApiException.badRequest("the patch is empty");
        }
        JsonNode result = Patches.apply(c.contentType(), current, patch, p.type().custom());
        if (!(result instanceof ObjectNode obj)) {
            throw ApiException.invalid("the patched " + p.type().kind() + " is not an object");
        }
        String wantRv = patch.path("metadata").path("resourceVersion").asText("");
        if (!wantRv.isEmpty() && !wantRv.equals(current.path("metadata").path("resourceVersion").asText())) {
            throw conflict(p);
        }
        return prepareUpdate(p, current, obj, p.subresource() != null && p.subresource().equals("status"));
    }

    private static ApiException conflict(ApiPath p) {
        return ApiException.conflict("Operation cannot be fulfilled on " + p.type().qualifiedName() + " \"" + p.name()
                + "\": the object has been modified; please apply your changes to the latest version and try again");
    }

    /**
     * The object to store after a main-resource update ({@code statusOnly}: a status update): identity
     * and creation fields kept, status kept for kinds with a status subresource, generation bumped
     * when anything but metadata and status changed.
     */
    private ObjectNode prepareUpdate(ApiPath p, ObjectNode current, ObjectNode next, boolean statusOnly) {
        ResourceType t = p.type();
        if (statusOnly) {
            ObjectNode out = current.deepCopy();
            if (next.has("status")) {
                out.set("status", next.get("status"));
            } else {
                out.remove("status");
            }
            return out;
        }
        next.put("apiVersion", t.groupVersion()).put("kind", t.kind());
        ObjectNode meta = next.with("metadata");
        JsonNode curMeta = current.path("metadata");
        meta.put("name", p.name());
        if (t.namespaced()) {
            meta.put("namespace", curMeta.path("namespace").asText());
        }
        for (String kept : List.of("uid", "creationTimestamp", "deletionTimestamp", "generateName")) {
            if (curMeta.has(kept)) {
                meta.set(kept, curMeta.get(kept));
            } else {
                meta.remove(kept);
            }
        }
        meta.remove("managedFields");
        if (t.hasStatus()) {
            if (current.has("status")) {
                next.set("status", current.get("status"));
            } else {
                next.remove("status");
            }
        }
        Defaults.onUpdate(t, current, next, clusterIps);
        long generation = curMeta.path("generation").asLong(1);
        if (!specOf(current).equals(specOf(next))) {
            generation++;
        }
        meta.put("generation", generation);
        meta.put("resourceVersion", curMeta.path("resourceVersion").asText());
        return next;
    }

    /** Everything but metadata and status: what a change of bumps the generation. */
    private static ObjectNode specOf(ObjectNode o) {
        ObjectNode copy = o.deepCopy();
        copy.remove("metadata");
        copy.remove("status");
        copy.remove("apiVersion");
        copy.remove("kind");
        return copy;
    }

    /** Writes {@code next} over {@code current}; an object with deletionTimestamp and no finalizers left goes away. */
    private ObjectNode write(ApiPath p, ObjectNode current, ObjectNode next, boolean dryRun) {
        if (dryRun) {
            return next;
        }
        next.with("metadata").put("resourceVersion", current.path("metadata").path("resourceVersion").asText());
        Store.Reply r = store.replace(p.objectPath(), next);
        if (next.path("metadata").has("deletionTimestamp") && finalizers(p.type(), next).isEmpty()) {
            // The last finalizer is gone: the object goes (the store may already have removed it).
            if (store.get(p.objectPath()) != null) {
                store.delete(p.objectPath());
            }
            return next;
        }
        if (r.code() == 409) {
            throw conflict(p);
        }
        if (r.code() == 404) {
            throw ApiException.notFound(p.type().qualifiedName(), p.name());
        }
        return r.object(p.type().kind() + " " + p.name());
    }

    private static List<String> finalizers(ResourceType t, JsonNode o) {
        List<String> out = new ArrayList<>();
        o.path("metadata").path("finalizers").forEach(f -> out.add(f.asText()));
        if (t.kind().equals("Namespace")) {
            o.path("spec").path("finalizers").forEach(f -> out.add(f.asText()));
        }
        return out;
    }

    // ---- delete ----

    private ObjectNode delete(ApiPath p, boolean dryRun) {
        ObjectNode current = mustGet(p);
        if (dryRun) {
            return current;
        }
        if (!finalizers(p.type(), current).isEmpty()) {
            if (current.path("metadata").has("deletionTimestamp")) {
                return current;
            }
            return modify(p, false, o -> {
                o.with("metadata").put("deletionTimestamp", now());
                if (p.type().kind().equals("Namespace")) {
                    o.with("status").put("phase", "Terminating");
                    // The store deletes an object with a deletionTimestamp as soon as metadata.finalizers is
                    // empty; the namespace's own finalizers (spec.finalizers) are mirrored there until /finalize.
                    o.with("metadata").withArray("finalizers").removeAll();
                    o.path("spec").path("finalizers").forEach(f -> o.with("metadata").withArray("finalizers").add(f));
                }
                return o;
            });
        }
        Store.Reply r = store.delete(p.objectPath());
        if (r.code() == 404) {
            throw ApiException.notFound(p.type().qualifiedName(), p.name());
        }
        if (!r.ok()) {
            r.object(p.type().kind() + " " + p.name());
        }
        return current;
    }

    private Answer deleteCollection(Call c, ApiPath p) {
        ObjectNode list = listObjects(p.type(), p.namespace(), c.rawQuery());
        for (JsonNode item : list.path("items")) {
            String ns = item.path("metadata").path("namespace").asText(null);
            delete(new ApiPath(p.type(), p.type().namespaced() ? ns : null, item.path("metadata").path("name").asText(),
                    null, false), c.dryRun());
        }
        return Answer.json(200, list);
    }

    // ---- subresources ----

    private Answer subresource(Call c, ApiPath p) {
        String sub = p.subresource();
        switch (sub) {
            case "status":
                return switch (c.method()) {
                    case "GET" -> Answer.json(200, mustGet(p));
                    case "PUT" -> {
                        JsonNode body = body(c);
                        yield Answer.json(200, modify(p, c.dryRun(), current -> {
                            String wantRv = body.path("metadata").path("resourceVersion").asText("");
                            if (!wantRv.isEmpty() && !wantRv.equals(current.path("metadata").path("resourceVersion").asText())) {
                                throw conflict(p);
                            }
                            return prepareUpdate(p, current, (ObjectNode) body, true);
                        }));
                    }
                    case "PATCH" -> Answer.json(200, modify(p, c.dryRun(), current -> patched(c, p, current)));
                    default -> throw ApiException.methodNotAllowed("the server does not allow this method on " + sub);
                };
            case "scale":
                return scale(c, p);
            case "log":
                return log(c, p);
            case "token":
                return token(c, p);
            case "finalize":
                if (!c.method().equals("PUT")) {
                    throw ApiException.methodNotAllowed("finalize answers PUT only");
                }
                JsonNode body = body(c);
                return Answer.json(200, modify(p, c.dryRun(), current -> {
                    ObjectNode out = current.deepCopy();
                    JsonNode fins = body.path("spec").path("finalizers");
                    out.with("spec").set("finalizers", fins.isArray() ? fins : Store.JSON.createArrayNode());
                    if (out.path("metadata").has("deletionTimestamp")) {
                        ArrayNode mirrored = out.with("metadata").withArray("finalizers");
                        mirrored.removeAll();
                        out.path("spec").path("finalizers").forEach(mirrored::add);
                    }
                    return out;
                }));
            default:
                throw ApiException.notFound("the server could not find the requested resource (" + p.type().qualifiedName()
                        + " " + p.name() + "/" + sub + ")");
        }
    }

    private Answer scale(Call c, ApiPath p) {
        return switch (c.method()) {
            case "GET" -> Answer.json(200, scaleOf(mustGet(p)));
            case "PUT", "PATCH" -> {
                ObjectNode[] scale = new ObjectNode[1];
                ObjectNode updated = modify(p, c.dryRun(), current -> {
                    ObjectNode s = scaleOf(current);
                    JsonNode next;
                    if (c.method().equals("PUT")) {
                        next = body(c);
                    } else {
                        try {
                            next = Patches.apply(c.contentType(), s, Store.JSON.readTree(c.body()), false);
                        } catch (IOException e) {
                            throw ApiException.badRequest("the patch is not valid JSON: " + e.getMessage());
                        }
                    }
                    JsonNode replicas = next.path("spec").path("replicas");
                    if (!replicas.canConvertToInt() || replicas.asInt() < 0) {
                        throw ApiException.invalid("Scale.spec.replicas must be a non-negative integer, was " + replicas);
                    }
                    ObjectNode out = current.deepCopy();
                    out.with("spec").put("replicas", replicas.asInt());
                    scale[0] = s;
                    return prepareUpdate(p, current, out, false);
                });
                yield Answer.json(200, scaleOf(updated));
            }
            default -> throw ApiException.methodNotAllowed("scale answers GET, PUT and PATCH");
        };
    }

    private static ObjectNode scaleOf(ObjectNode o) {
        ObjectNode s = Store.JSON.createObjectNode();
        s.put("kind", "Scale").put("apiVersion", "autoscaling/v1");
        ObjectNode m = s.putObject("metadata");
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (o.path("metadata").has(f)) {
                m.set(f, o.path("metadata").get(f));
            }
        }
        s.putObject("spec").put("replicas", o.path("spec").path("replicas").asInt(1));
        ObjectNode st = s.putObject("status");
        st.put("replicas", o.path("status").path("replicas").asInt(0));
        JsonNode ml = o.path("spec").path("selector").path("matchLabels");
        List<String> terms = new ArrayList<>();
        ml.fields().forEachRemaining(e -> terms.add(e.getKey() + "=" + e.getValue().asText()));
        st.put("selector", String.join(",", terms));
        return s;
    }

    private Answer log(Call c, ApiPath p) {
        if (!c.method().equals("GET")) {
            throw ApiException.methodNotAllowed("log answers GET only");
        }
        ObjectNode pod = mustGet(p);
        String container = c.param("container");
        if (container != null) {
            boolean known = false;
            for (String list : List.of("containers", "initContainers")) {
                for (JsonNode ct : pod.path("spec").path(list)) {
                    known |= container.equals(ct.path("name").asText());
                }
            }
            if (!known) {
                throw ApiException.badRequest("container " + container + " is not valid for pod " + p.name());
            }
        }
        PodLogProvider provider = logs.get();
        String text = provider == null ? null : provider.log(p.namespace(), p.name(), container).orElse(null);
        if (text == null) {
            throw ApiException.notFound("no log for pod \"" + p.name() + "\"" + (container == null ? "" : " container \"" + container + "\"")
                    + " in namespace \"" + p.namespace() + "\"" + (provider == null ? " (no kubelet serves logs)" : ""));
        }
        String tail = c.param("tailLines");
        if (tail != null) {
            try {
                int n = Integer.parseInt(tail);
                String[] lines = text.split("\n", -1);
                int end = text.endsWith("\n") ? lines.length - 1 : lines.length;
                text = String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, end - n), end))
                        + (text.endsWith("\n") && n > 0 ? "\n" : "");
            } catch (NumberFormatException e) {
                throw ApiException.badRequest("tailLines must be a number, was " + tail);
            }
        }
        return Answer.text(200, text);
    }

    /** {@code serviceaccounts/<sa>/token}: a TokenRequest answered with a token this cluster signs. */
    private Answer token(Call c, ApiPath p) {
        if (!c.method().equals("POST")) {
            throw ApiException.methodNotAllowed("token answers POST only");
        }
        mustGet(p);
        JsonNode req = body(c);
        JsonNode spec = req.path("spec");
        List<String> audiences = new ArrayList<>();
        spec.path("audiences").forEach(a -> audiences.add(a.asText()));
        long seconds = spec.path("expirationSeconds").asLong(3600);
        if (seconds < 600) {
            throw ApiException.invalid("TokenRequest.spec.expirationSeconds: Invalid value: " + seconds
                    + ": may not specify a duration less than 10 minutes");
        }
        JsonNode bound = spec.path("boundObjectRef");
        String podName = "Pod".equals(bound.path("kind").asText()) ? bound.path("name").asText() : null;
        String podUid = podName == null ? null : bound.path("uid").asText("");
        Instant exp = clock.instant().plusSeconds(seconds);
        String token = tokens.issue(p.namespace(), p.name(), podName, podUid, audiences, Duration.ofSeconds(seconds));
        ObjectNode out = req.deepCopy();
        out.put("kind", "TokenRequest").put("apiVersion", "authentication.k8s.io/v1");
        out.with("metadata").put("name", p.name()).put("namespace", p.namespace()).put("creationTimestamp", now());
        ObjectNode st = out.putObject("status");
        st.put("token", token).put("expirationTimestamp", exp.truncatedTo(ChronoUnit.SECONDS).toString());
        return Answer.json(201, out);
    }

    // ---- reviews ----

    private ObjectNode review(ResourceType t, JsonNode body, UserInfo requester) {
        ObjectNode out = body.deepCopy();
        out.put("kind", t.kind()).put("apiVersion", t.groupVersion());
        out.with("metadata").put("creationTimestamp", now());
        switch (t.kind()) {
            case "TokenReview" -> {
                JsonNode spec = body.path("spec");
                if (!spec.hasNonNull("token") || spec.path("token").asText().isEmpty()) {
                    throw ApiException.invalid("TokenReview.authentication.k8s.io \"\" is invalid: spec.token: Required value");
                }
                List<String> audiences = new ArrayList<>();
                spec.path("audiences").forEach(a -> audiences.add(a.asText()));
                TokenIssuer.Verdict v = tokens.verify(spec.path("token").asText(), audiences);
                if (v.authenticated() && store.get("/api/v1/namespaces/" + v.namespace() + "/serviceaccounts/"
                        + v.serviceAccount()) == null) {
                    v = new TokenIssuer.Verdict(false, null, null, List.of(), List.of(), null, null,
                            "invalid bearer token: service account " + v.namespace() + "/" + v.serviceAccount()
                                    + " has been deleted or never existed");
                }
                ObjectNode st = out.putObject("status");
                st.put("authenticated", v.authenticated());
                if (v.authenticated()) {
                    ObjectNode user = st.putObject("user");
                    user.put("username", v.username()).put("uid", v.uid());
                    ArrayNode groups = user.putArray("groups");
                    v.groups().forEach(groups::add);
                    ArrayNode aud = st.putArray("audiences");
                    v.audiences().forEach(aud::add);
                } else {
                    st.putObject("user");
                    st.put("error", v.error());
                }
            }
            case "SelfSubjectAccessReview", "SubjectAccessReview" -> {
                UserInfo subject = t.kind().equals("SubjectAccessReview") ? reviewedUser(body.path("spec")) : requester;
                RbacAuthorizer.Decision d = rbac.authorize(subject, accessRequest(t.kind(), body.path("spec")));
                ObjectNode st = out.putObject("status");
                st.put("allowed", d.allowed());
                if (!d.reason().isEmpty()) {
                    st.put("reason", d.reason());
                }
            }
            case "SelfSubjectReview" -> {
                ObjectNode info = out.putObject("status").putObject("userInfo");
                info.put("username", requester.name());
                ArrayNode groups = info.putArray("groups");
                requester.groups().forEach(groups::add);
            }
            default -> throw ApiException.methodNotAllowed("no review of kind " + t.kind());
        }
        return out;
    }

    /** A SubjectAccessReview's subject: {@code spec.user} and {@code spec.groups}, at least one of them. */
    private static UserInfo reviewedUser(JsonNode spec) {
        List<String> groups = new ArrayList<>();
        spec.path("groups").forEach(g -> groups.add(g.asText()));
        String user = spec.path("user").asText("");
        if (user.isEmpty() && groups.isEmpty()) {
            throw ApiException.invalid("SubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.user: Invalid value: \"\": "
                    + "at least one of user or group must be specified");
        }
        return new UserInfo(user, groups);
    }

    /** The attributes an access review asks about: exactly one of spec.resourceAttributes and spec.nonResourceAttributes. */
    private static RbacAuthorizer.Request accessRequest(String kind, JsonNode spec) {
        JsonNode res = spec.path("resourceAttributes");
        JsonNode nonRes = spec.path("nonResourceAttributes");
        boolean hasRes = res.isObject();
        boolean hasNonRes = nonRes.isObject();
        String invalid = kind + ".authorization.k8s.io \"\" is invalid: ";
        if (hasRes == hasNonRes) {
            throw ApiException.invalid(invalid + (hasRes ? "spec.nonResourceAttributes: Invalid value: cannot be specified in"
                    + " combination with resourceAttributes" : "spec.resourceAttributes: Required value: exactly one of"
                    + " nonResourceAttributes or resourceAttributes must be specified"));
        }
        if (hasNonRes) {
            return RbacAuthorizer.Request.nonResource(nonRes.path("verb").asText(""), nonRes.path("path").asText(""));
        }
        return RbacAuthorizer.Request.resource(res.path("verb").asText(""), res.path("namespace").asText(""),
                res.path("group").asText(""), res.path("resource").asText(""), res.path("subresource").asText(""),
                res.path("name").asText(""));
    }

    static boolean sameText(JsonNode a, JsonNode b) {
        return Objects.equals(a == null ? null : a.asText(null), b == null ? null : b.asText(null));
    }
}
