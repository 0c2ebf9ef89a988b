package dev.mesh.ca.auth;

import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.Identity;

/**
 * Who is calling: the identity proved by the bearer token if one is sent, otherwise by the mesh
 * client certificate (renewal). A bad token is refused even if a certificate is also presented, so
 * that a caller learns its token is wrong.
 */
public final class CallerAuthenticator {

    /** Service-account tokens are a few KiB at most. */
    static final int MAX_TOKEN_CHARS = 16 * 1024;
    private static final String BEARER = "bearer ";

    private final TokenValidator tokens;
    private final ClientCertificateVerifier certificates;

    public CallerAuthenticator(TokenValidator tokens, ClientCertificateVerifier certificates) {
        this.tokens = tokens;
        this.certificates = certificates;
    }

    public Identity authenticate(Credentials credentials) {
        String authorization = credentials.authorization();
        if (authorization != null) {
            return tokens.validate(bearerToken(authorization));
        }
        if (!credentials.peerChain().isEmpty()) {
            return certificates.verify(credentials.peerChain());
        }
        throw new CaException(Reason.MISSING_CREDENTIALS, "no credentials: send header 'authorization: Bearer "
                + "<service-account token>' or present your current mesh certificate");
    }

    private static String bearerToken(String authorization) {
        if (authorization.length() > MAX_TOKEN_CHARS) {
            throw new CaException(Reason.INVALID_TOKEN, "authorization header: longer than " + MAX_TOKEN_CHARS + " characters");
        }
        if (authorization.length() <= BEARER.length() || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            throw new CaException(Reason.INVALID_TOKEN, "authorization header: expected 'Bearer <token>'");
        }
        String token = authorization.substring(BEARER.length()).trim();
        if (token.isEmpty() || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new CaException(Reason.INVALID_TOKEN, "authorization header: the bearer token is empty or has characters a JWT cannot have");
        }
        return token;
    }
}
