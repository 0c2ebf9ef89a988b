package dev.mesh.distributor.xds;

import com.google.protobuf.Any;
import com.google.protobuf.Message;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One named xDS resource at one version, packed once: every proxy that receives this version
 * receives these same bytes, whatever the number of proxies.
 *
 * @param version a digest of the serialised resource, so identical content has an identical
 *                version on every replica of the distributor and a proxy moving between replicas
 *                is not sent what it already has
 */
public record XdsResource(String typeUrl, String name, String version, Any body) {

    public static XdsResource of(String name, Message resource) {
        Any body = Any.pack(resource);
        return new XdsResource(body.getTypeUrl(), name, digest(body.getValue().toByteArray()), body);
    }

    static String digest(byte[] bytes) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(bytes);
            return HexFormat.of().formatHex(hash, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every Java runtime", e);
        }
    }

    /** A digest of a set of (name, version) pairs, in name order: the version of a whole response. */
    public static String digestOf(Iterable<XdsResource> sortedByName) {
        StringBuilder all = new StringBuilder();
        for (XdsResource r : sortedByName) {
            all.append(r.name).append('=').append(r.version).append('\n');
        }
        return digest(all.toString().getBytes(StandardCharsets.UTF_8));
    }
}
