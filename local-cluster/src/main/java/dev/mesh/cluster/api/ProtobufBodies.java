package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Reads the protobuf request bodies kubectl's typed commands send ({@code kubectl create namespace},
 * {@code create configmap|secret|serviceaccount|token}): the {@code k8s\0} envelope around a
 * {@code runtime.Unknown}, and those kinds' fields, into the JSON the store keeps. kubectl does not
 * fall back to JSON when refused, so refusing would hang or fail these commands. Other kinds are
 * refused with 415 naming the kind.
 */
final class ProtobufBodies {

    private static final byte[] MAGIC = {0x6b, 0x38, 0x73, 0x00};

    private ProtobufBodies() {
    }

    static ObjectNode decode(byte[] body) {
        if (body.length < 4 || body[0] != MAGIC[0] || body[1] != MAGIC[1] || body[2] != MAGIC[2] || body[3] != MAGIC[3]) {
            throw ApiException.badRequest("the protobuf body does not start with the Kubernetes envelope (k8s\\0)");
        }
        Reader unknown = new Reader(body, 4, body.length);
        String apiVersion = "";
        String kind = "";
        byte[] raw = null;
        while (unknown.more()) {
            int tag = unknown.tag();
            switch (tag >>> 3) {
                case 1 -> {
                    Reader typeMeta = unknown.message();
                    while (typeMeta.more()) {
                        int t = typeMeta.tag();
                        switch (t >>> 3) {
                            case 1 -> apiVersion = typeMeta.string();
                            case 2 -> kind = typeMeta.string();
                            default -> typeMeta.skip(t);
                        }
                    }
                }
                case 2 -> raw = unknown.bytes();
                default -> unknown.skip(tag);
            }
        }
        if (raw == null) {
            throw ApiException.badRequest("the protobuf body carries no object");
        }
        ObjectNode obj = Store.JSON.createObjectNode();
        obj.put("apiVersion", apiVersion).put("kind", kind);
        Reader r = new Reader(raw, 0, raw.length);
        switch (kind) {
            case "Namespace" -> readObject(r, obj, (f, tag, in, o) -> {
                if (f == 2) {
                    Reader spec = in.message();
                    ObjectNode s = o.putObject("spec");
                    while (spec.more()) {
                        int t = spec.tag();
                        if (t >>> 3 == 1) {
                            s.withArray("finalizers").add(spec.string());
                        } else {
                            spec.skip(t);
                        }
                    }
                    return true;
                }
                return false;
            });
            case "ConfigMap" -> readObject(r, obj, (f, tag, in, o) -> {
                if (f == 2 || f == 3) {
                    String[] kv = f == 2 ? in.mapEntry() : in.mapEntryBytes();
                    o.with(f == 2 ? "data" : "binaryData").put(kv[0], kv[1]);
                    return true;
                }
                return false;
            });
            case "Secret" -> readObject(r, obj, (f, tag, in, o) -> {
                switch (f) {
                    case 2 -> {
                        String[] kv = in.mapEntryBytes();
                        o.with("data").put(kv[0], kv[1]);
                    }
                    case 3 -> o.put("type", in.string());
                    case 4 -> {
                        String[] kv = in.mapEntry();
                        o.with("stringData").put(kv[0], kv[1]);
                    }
                    default -> {
                        return false;
                    }
                }
                return true;
            });
            case "ServiceAccount" -> readObject(r, obj, (f, tag, in, o) -> false);
            case "TokenRequest" -> readObject(r, obj, (f, tag, in, o) -> {
                if (f != 2) {
                    return false;
                }
                Reader spec = in.message();
                ObjectNode s = o.putObject("spec");
                while (spec.more()) {
                    int t = spec.tag();
                    switch (t >>> 3) {
                        case 1 -> s.withArray("audiences").add(spec.string());
                        case 4 -> s.put("expirationSeconds", spec.varint());
                        case 3 -> {
                            Reader ref = spec.message();
                            ObjectNode b = s.putObject("boundObjectRef");
                            while (ref.more()) {
                                int rt = ref.tag();
                                switch (rt >>> 3) {
                                    case 1 -> b.put("kind", ref.string());
                                    case 2 -> b.put("apiVersion", ref.string());
                                    case 3 -> b.put("name", ref.string());
                                    case 4 -> b.put("uid", ref.string());
                                    default -> ref.skip(rt);
                                }
                            }
                        }
                        default -> spec.skip(t);
                    }
                }
                return true;
            });
            default -> throw ApiException.unsupportedMediaType("the local cluster reads protobuf bodies of Namespace, ConfigMap, "
                    + "Secret, ServiceAccount and TokenRequest only, not " + kind + "; send it as JSON (kubectl apply -f)");
        }
        return obj;
    }

    @FunctionalInterface
    private interface FieldReader {
        boolean read(int field, int tag, Reader in, ObjectNode obj);
    }

    /** Field 1 is ObjectMeta in every kind here; {@code other} reads the kind's own fields. */
    private static void readObject(Reader r, ObjectNode obj, FieldReader other) {
        while (r.more()) {
            int tag = r.tag();
            int field = tag >>> 3;
            if (field == 1) {
                readMeta(r.message(), obj.putObject("metadata"));
            } else if (!other.read(field, tag, r, obj)) {
                r.skip(tag);
            }
        }
    }

    private static void readMeta(Reader m, ObjectNode meta) {
        while (m.more()) {
            int tag = m.tag();
            switch (tag >>> 3) {
                case 1 -> meta.put("name", m.string());
                case 2 -> meta.put("generateName", m.string());
                case 3 -> meta.put("namespace", m.string());
                case 11 -> {
                    String[] kv = m.mapEntry();
                    meta.with("labels").put(kv[0], kv[1]);
                }
                case 12 -> {
                    String[] kv = m.mapEntry();
                    meta.with("annotations").put(kv[0], kv[1]);
                }
                case 14 -> {
                    ArrayNode f = meta.withArray("finalizers");
                    f.add(m.string());
                }
                default -> m.skip(tag);
            }
        }
    }

    /** Protobuf wire format over a byte range. */
    private static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        Reader(byte[] buf, int pos, int end) {
            this.buf = buf;
            this.pos = pos;
            this.end = end;
        }

        boolean more() {
            return pos < end;
        }

        int tag() {
            return (int) varint();
        }

        long varint() {
            long result = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                if (pos >= end) {
                    throw ApiException.badRequest("the protobuf body is truncated");
                }
                byte b = buf[pos++];
                result |= (long) (b & 0x7f) << shift;
                if ((b & 0x80) == 0) {
                    return result;
                }
            }
            throw ApiException.badRequest("the protobuf body has a malformed varint");
        }

        byte[] bytes() {
            int len = (int) varint();
            if (len < 0 || pos + len > end) {
                throw ApiException.badRequest("the protobuf body is truncated");
            }
            byte[] out = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return out;
        }

        String string() {
            return new String(bytes(), StandardCharsets.UTF_8);
        }

        Reader message() {
            int len = (int) varint();
            if (len < 0 || pos + len > end) {
                throw ApiException.badRequest("the protobuf body is truncated");
            }
            Reader r = new Reader(buf, pos, pos + len);
            pos += len;
            return r;
        }

        String[] mapEntry() {
            return mapEntry(false);
        }

        /** A map entry whose value is bytes, returned base64 as JSON carries them. */
        String[] mapEntryBytes() {
            return mapEntry(true);
        }

        private String[] mapEntry(boolean base64Value) {
            Reader e = message();
            String k = "";
            String v = "";
            while (e.more()) {
                int t = e.tag();
                switch (t >>> 3) {
                    case 1 -> k = e.string();
                    case 2 -> v = base64Value ? Base64.getEncoder().encodeToString(e.bytes()) : e.string();
                    default -> e.skip(t);
                }
            }
            return new String[] {k, v};
        }

        void skip(int tag) {
            switch (tag & 7) {
                case 0 -> varint();
                case 1 -> pos += 8;
                case 2 -> {
                    int len = (int) varint();
                    pos += len;
                }
                case 5 -> pos += 4;
                default -> throw ApiException.badRequest("the protobuf body has an unsupported wire type " + (tag & 7));
            }
            if (pos > end) {
                throw ApiException.badRequest("the protobuf body is truncated");
            }
        }
    }
}
