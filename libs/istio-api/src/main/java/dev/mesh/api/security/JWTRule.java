package dev.mesh.api.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mesh.api.Node;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Istio's {@code security.istio.io} JWTRule: one accepted token issuer, where its keys are, where the
 * token is read from, and what is passed on once it is verified.
 *
 * @param issuer                the {@code iss} the token must carry
 * @param audiences             accepted {@code aud} values; empty accepts the service's own hostnames
 * @param jwksUri               where the public keys are fetched from, http or https; empty when inline
 * @param jwks                  the public keys inline, as a JSON Web Key Set; empty when fetched
 * @param fromHeaders           headers the token is read from; empty means {@code Authorization: Bearer}
 * @param fromParams            query parameters the token is read from
 * @param outputPayloadToHeader header the verified payload is copied to (base64url); empty for none
 * @param forwardOriginalToken  whether the token is passed on to the application
 * @param outputClaimToHeaders  claims copied to headers once verified
 * @param timeout               how long fetching the keys may take; null for the default
 * @param fromCookies           cookies the token is read from
 */
public record JWTRule(String issuer, List<String> audiences, String jwksUri, String jwks, List<JWTHeader> fromHeaders,
        List<String> fromParams, String outputPayloadToHeader, boolean forwardOriginalToken,
        List<ClaimToHeader> outputClaimToHeaders, Duration timeout, List<String> fromCookies) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public JWTRule {
        issuer = issuer == null ? "" : issuer;
        audiences = audiences == null ? List.of() : List.copyOf(audiences);
        jwksUri = jwksUri == null ? "" : jwksUri;
        jwks = jwks == null ? "" : jwks;
        fromHeaders = fromHeaders == null ? List.of() : List.copyOf(fromHeaders);
        fromParams = fromParams == null ? List.of() : List.copyOf(fromParams);
        outputPayloadToHeader = outputPayloadToHeader == null ? "" : outputPayloadToHeader;
        outputClaimToHeaders = outputClaimToHeaders == null ? List.of() : List.copyOf(outputClaimToHeaders);
        fromCookies = fromCookies == null ? List.of() : List.copyOf(fromCookies);
    }

    static JWTRule parse(Node node) {
        String issuer = node.string("issuer");
        String jwksUri = node.string("jwksUri");
        // The proto's own field name, which the CRD accepts as well.
        String legacyJwksUri = node.string("jwks_uri");
        String jwks = node.string("jwks");
        Boolean forward = node.bool("forwardOriginalToken");
        JWTRule rule = new JWTRule(issuer, node.strings("audiences"), jwksUri != null ? jwksUri : legacyJwksUri,
                jwks, node.list("fromHeaders", JWTHeader::parse), node.strings("fromParams"),
                node.string("outputPayloadToHeader"), forward != null && forward,
                node.list("outputClaimToHeaders", ClaimToHeader::parse), node.duration("timeout"),
                node.strings("fromCookies"));
        String uriField = jwksUri == null && legacyJwksUri != null ? "jwks_uri" : "jwksUri";
        rule.validate(node, uriField, jwksUri != null && legacyJwksUri != null);
        return rule;
    }

    private void validate(Node node, String uriField, boolean bothUriSpellings) {
        SecurityChecks.checkNonEmptyValues(node, "audiences", audiences);
        if (issuer.isEmpty() && jwksUri.isEmpty()) {
            node.error("issuer", "issuer or jwksUri must be set");
        }
        if (!jwksUri.isEmpty()) {
            String problem = jwksUriProblem(jwksUri);
            if (problem != null) {
                node.error(uriField, problem);
            }
        }
        if (bothUriSpellings || (!jwks.isEmpty() && !jwksUri.isEmpty())) {
            node.error("jwks", "only one of jwks, jwksUri (or jwks_uri) may be set");
        }
        if (!jwks.isEmpty()) {
            String problem = jwksProblem(jwks);
            if (problem != null) {
                node.error("jwks", problem);
            }
        }
        SecurityChecks.checkNonEmptyValues(node, "fromParams", fromParams);
        SecurityChecks.checkNonEmptyValues(node, "fromCookies", fromCookies);
        if (timeout != null) {
            if (timeout.compareTo(Duration.ofMillis(1)) < 0) {
                node.error("timeout", "duration " + timeout + " must be at least 1ms");
            } else if (timeout.toNanos() % 1_000_000L != 0) {
                node.error("timeout", "duration " + timeout + " has more than millisecond precision");
            }
        }
    }

    /** Null when {@code uri} is an absolute http(s) URL with a host, else what is wrong. */
    private static String jwksUriProblem(String uri) {
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            return "\"" + uri + "\" is not a valid URL: " + e.getReason();
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "\"" + uri + "\" must be an http:// or https:// URL";
        }
        if (parsed.getHost() == null || parsed.getHost().isEmpty()) {
            return "\"" + uri + "\" has no valid host (and port)";
        }
        return null;
    }

    /** Null when {@code jwks} is a JSON Web Key Set (or a single JSON Web Key), else what is wrong. */
    private static String jwksProblem(String jwks) {
        JsonNode json;
        try {
            json = JSON.readTree(jwks);
        } catch (JsonProcessingException e) {
            return "is not valid JSON: " + e.getOriginalMessage();
        }
        if (json == null || !json.isObject()) {
            return "must be a JSON Web Key Set: a JSON object with \"keys\"";
        }
        if (json.has("keys")) {
            JsonNode keys = json.get("keys");
            if (!keys.isArray()) {
                return "\"keys\" of the JSON Web Key Set must be a list";
            }
            for (int i = 0; i < keys.size(); i++) {
                if (!keys.get(i).isObject() || !keys.get(i).path("kty").isTextual()) {
                    return "key " + i + " of the JSON Web Key Set has no \"kty\"";
                }
            }
            return null;
        }
        return json.path("kty").isTextual() ? null
                : "must be a JSON Web Key Set: a JSON object with \"keys\" (or a single key with \"kty\")";
    }
}
