package dev.mesh.ca.kube;

import dev.mesh.ca.auth.TokenValidator;
import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import dev.mesh.ca.model.Identity;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.List;

/**
 * Checks a service-account token with the API server ({@code authentication.k8s.io/v1} TokenReview)
 * for this CA's audience. The API server decides signature, expiry, audience and whether the
 * service account still exists; this class only reads its answer.
 */
public final class TokenReviewValidator implements TokenValidator {

    private final KubernetesClient client;
    private final String audience;
    private final String trustDomain;

    public TokenReviewValidator(KubernetesClient client, String audience, String trustDomain) {
        this.client = client;
        this.audience = audience;
        this.trustDomain = trustDomain;
    }

    @Override
    public Identity validate(String token) {
        TokenReview request = new TokenReviewBuilder().withNewSpec().withToken(token).withAudiences(audience).endSpec().build();
        TokenReview review;
        try {
            review = client.authentication().v1().tokenReviews().create(request);
        } catch (KubernetesClientException e) {
            throw new CaException(Reason.TOKEN_REVIEW_UNAVAILABLE, "token could not be checked: TokenReview failed ("
                    + (e.getCode() > 0 ? "HTTP " + e.getCode() : e.getMessage()) + "); retry later", e);
        }
        TokenReviewStatus status = review == null ? null : review.getStatus();
        if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
            String error = status == null || status.getError() == null ? "not authenticated" : status.getError();
            throw new CaException(Reason.INVALID_TOKEN, "bearer token refused by the API server: " + error
                    + " (a service-account token with audience " + audience + " is required)");
        }
        List<String> audiences = status.getAudiences();
        if (audiences == null || !audiences.contains(audience)) {
            throw new CaException(Reason.INVALID_TOKEN, "bearer token is not issued for audience " + audience
                    + " (its audiences: " + audiences + ")");
        }
        String username = status.getUser() == null ? null : status.getUser().getUsername();
        return Identity.fromServiceAccountUser(trustDomain, username)
                .orElseThrow(() -> new CaException(Reason.INVALID_TOKEN, "bearer token belongs to " + username
                        + ", not to a service account (system:serviceaccount:<ns>:<sa>)"));
    }
}
