package dev.mesh.ca.auth;

import dev.mesh.ca.model.Identity;

/**
 * Turns a bearer service-account token into the identity it proves.
 *
 * @throws dev.mesh.ca.model.CaException INVALID_TOKEN when the token proves nothing, or
 *     TOKEN_REVIEW_UNAVAILABLE when it cannot be checked now
 */
public interface TokenValidator {

    Identity validate(String token);
}
