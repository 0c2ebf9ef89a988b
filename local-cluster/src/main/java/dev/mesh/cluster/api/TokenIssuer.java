package dev.mesh.cluster.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Issues and checks the local cluster's service-account tokens: ES256-signed JWTs in the shape the
 * Kubernetes API server gives pods (bound service-account tokens), with {@code iss}, {@code sub}
 * {@code system:serviceaccount:<ns>:<sa>}, {@code aud}, {@code iat}/{@code nbf}/{@code exp} and the
 * {@code kubernetes.io} claims. The signing key lives only in this object; a token the cluster did
 * not sign never verifies.
 */
public final class TokenIssuer {

    /** The issuer every token carries; the same as a default kubeadm cluster's. */
    public static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    /** The audience of a token issued without explicit audiences, as the API server's default. */
    public static final String DEFAULT_AUDIENCE = ISSUER;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final KeyPair keys;
    private final String keyId;
    private final Clock clock;

    public TokenIssuer(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
            this.keys = gen.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate the service-account signing key", e);
        }
        this.keyId = UUID.randomUUID().toString();
    }

    /** The outcome of checking a token: either a user or the reason it is refused. */
    public record Verdict(boolean authenticated, String username, String uid, List<String> groups,
            List<String> audiences, String namespace, String serviceAccount, String error) {

        static Verdict refused(String error) {
            return new Verdict(false, null, null, List.of(), List.of(), null, null, error);
        }
    }

    /**
     * A token for service account {@code serviceAccount} in {@code namespace}, valid for {@code ttl}
     * from now, for the given audiences (the cluster's default audience when empty).
     */
    public String issue(String namespace, String serviceAccount, List<String> audiences, Duration ttl) {
        return issue(namespace, serviceAccount, null, null, audiences, ttl);
    }

    /** As {@link #issue(String, String, List, Duration)}, bound to a pod the way a projected token is. */
    public String issue(String namespace, String serviceAccount, String podName, String podUid,
            List<String> audiences, Duration ttl) {
        requireName("namespace", namespace);
        requireName("serviceAccount", serviceAccount);
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl must be positive, was " + ttl);
        }
        List<String> aud = audiences == null || audiences.isEmpty() ? List.of(DEFAULT_AUDIENCE) : audiences;
        Instant now = clock.instant();
        ObjectNode header = JSON.createObjectNode().put("alg", "ES256").put("kid", keyId);
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", ISSUER);
        claims.put("sub", "system:serviceaccount:" + namespace + ":" + serviceAccount);
        ArrayNode audNode = claims.putArray("aud");
        aud.forEach(audNode::add);
        claims.put("iat", now.getEpochSecond());
        claims.put("nbf", now.getEpochSecond());
        claims.put("exp", now.plus(ttl).getEpochSecond());
        claims.put("jti", UUID.randomUUID().toString());
        ObjectNode k8s = claims.putObject("kubernetes.io");
        k8s.put("namespace", namespace);
        k8s.putObject("serviceaccount").put("name", serviceAccount).put("uid", serviceAccountUid(namespace, serviceAccount));
        if (podName != null) {
            k8s.putObject("pod").put("name", podName).put("uid", podUid == null ? "" : podUid);
        }
        String signingInput = B64.encodeToString(bytes(header)) + "." + B64.encodeToString(bytes(claims));
        return signingInput + "." + B64.encodeToString(sign(signingInput));
    }

    /**
     * Checks {@code token} as the API server's TokenReview does: signature by this cluster's key,
     * issuer, validity window, and, when {@code wantedAudiences} is not empty, that the token is for
     * at least one of them (the answer's audiences are the intersection).
     */
    public Verdict verify(String token, List<String> wantedAudiences) {
        if (token == null || token.isBlank()) {
            return Verdict.refused("token is empty");
        }
        String[] parts = token.trim().split("\\.", -1);
        if (parts.length != 3) {
            return Verdict.refused("token is not a JWT (expected 3 dot-separated parts, found " + parts.length + ")");
        }
        JsonNode header;
        JsonNode claims;
        byte[] signature;
        try {
            header = JSON.readTree(B64D.decode(parts[0]));
            claims = JSON.readTree(B64D.decode(parts[1]));
            signature = B64D.decode(parts[2]);
        } catch (Exception e) {
            return Verdict.refused("token is not a JWT: " + e.getMessage());
        }
        if (!"ES256".equals(header.path("alg").asText())) {
            return Verdict.refused("token is signed with " + header.path("alg").asText("no algorithm")
                    + ", this cluster signs with ES256");
        }
        if (!checkSignature(parts[0] + "." + parts[1], signature)) {
            return Verdict.refused("invalid bearer token: signature was not made by this cluster's service-account key");
        }
        if (!ISSUER.equals(claims.path("iss").asText())) {
            return Verdict.refused("invalid bearer token: issuer " + claims.path("iss").asText() + " is not " + ISSUER);
        }
        long now = clock.instant().getEpochSecond();
        if (!claims.has("exp") || claims.path("exp").asLong() <= now) {
            return Verdict.refused("invalid bearer token: token has expired");
        }
        if (claims.has("nbf") && claims.path("nbf").asLong() > now + 60) {
            return Verdict.refused("invalid bearer token: token is not valid yet");
        }
        List<String> tokenAudiences = new ArrayList<>();
        JsonNode aud = claims.path("aud");
        if (aud.isArray()) {
            aud.forEach(a -> tokenAudiences.add(a.asText()));
        } else if (aud.isTextual()) {
            tokenAudiences.add(aud.asText());
        }
        List<String> audiences;
        if (wantedAudiences == null || wantedAudiences.isEmpty()) {
            // The API server checks against its own audiences when the review names none.
            if (!tokenAudiences.contains(DEFAULT_AUDIENCE)) {
                return Verdict.refused("invalid bearer token: token audiences " + tokenAudiences
                        + " do not include the API server's audience " + DEFAULT_AUDIENCE);
            }
            audiences = List.of(DEFAULT_AUDIENCE);
        } else {
            audiences = wantedAudiences.stream().filter(tokenAudiences::contains).toList();
            if (audiences.isEmpty()) {
                return Verdict.refused("invalid bearer token: token audiences " + tokenAudiences
                        + " are invalid for the target audiences " + wantedAudiences);
            }
        }
        String sub = claims.path("sub").asText();
        String[] subParts = sub.split(":", -1);
        if (subParts.length != 4 || !"system".equals(subParts[0]) || !"serviceaccount".equals(subParts[1])) {
            return Verdict.refused("invalid bearer token: subject " + sub + " is not a service account");
        }
        String ns = subParts[2];
        String sa = subParts[3];
        JsonNode k8s = claims.path("kubernetes.io");
        if (!ns.equals(k8s.path("namespace").asText()) || !sa.equals(k8s.path("serviceaccount").path("name").asText())) {
            return Verdict.refused("invalid bearer token: kubernetes.io claims do not match subject " + sub);
        }
        String uid = k8s.path("serviceaccount").path("uid").asText();
        return new Verdict(true, sub, uid, List.of("system:serviceaccounts", "system:serviceaccounts:" + ns,
                "system:authenticated"), audiences, ns, sa, null);
    }

    /** A stable uid for a service account, so that every token of it names the same one. */
    static String serviceAccountUid(String namespace, String serviceAccount) {
        return UUID.nameUUIDFromBytes(("serviceaccount/" + namespace + "/" + serviceAccount)
                .getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static void requireName(String what, String value) {
        if (value == null || value.isBlank() || value.contains(":")) {
            throw new IllegalArgumentException(what + " must be a non-empty Kubernetes name without ':', was '" + value + "'");
        }
    }

    private byte[] sign(String input) {
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initSign(keys.getPrivate());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return derToJose(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a service-account token", e);
        }
    }

    private boolean checkSignature(String input, byte[] signature) {
        if (signature.length != 64) {
            return false;
        }
        try {
            Signature s = Signature.getInstance("SHA256withECDSA");
            s.initVerify(keys.getPublic());
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return s.verify(joseToDer(signature));
        } catch (GeneralSecurityException e) {
            return false;
        }
    }

    /** JWS carries an ECDSA signature as R||S (32 bytes each); Java's Signature speaks DER. */
    private static byte[] derToJose(byte[] der) {
        int offset = der[1] == (byte) 0x81 ? 3 : 2;
        int rLen = der[offset + 1];
        byte[] r = java.util.Arrays.copyOfRange(der, offset + 2, offset + 2 + rLen);
        int sStart = offset + 2 + rLen;
        int sLen = der[sStart + 1];
        byte[] sv = java.util.Arrays.copyOfRange(der, sStart + 2, sStart + 2 + sLen);
        byte[] out = new byte[64];
        copyUnsigned(r, out, 0);
        copyUnsigned(sv, out, 32);
        return out;
    }

    private static void copyUnsigned(byte[] integer, byte[] out, int at) {
        int start = 0;
        while (start < integer.length - 1 && integer[start] == 0) {
            start++;
        }
        int len = integer.length - start;
        System.arraycopy(integer, start, out, at + 32 - len, len);
    }

    private static byte[] joseToDer(byte[] jose) {
        byte[] r = derInteger(java.util.Arrays.copyOfRange(jose, 0, 32));
        byte[] s = derInteger(java.util.Arrays.copyOfRange(jose, 32, 64));
        byte[] out = new byte[2 + r.length + s.length];
        out[0] = 0x30;
        out[1] = (byte) (r.length + s.length);
        System.arraycopy(r, 0, out, 2, r.length);
        System.arraycopy(s, 0, out, 2 + r.length, s.length);
        return out;
    }

    private static byte[] derInteger(byte[] unsigned) {
        byte[] v = new java.math.BigInteger(1, unsigned).toByteArray();
        byte[] out = new byte[2 + v.length];
        out[0] = 0x02;
        out[1] = (byte) v.length;
        System.arraycopy(v, 0, out, 2, v.length);
        return out;
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
