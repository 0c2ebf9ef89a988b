package dev.mesh.ca.testing;

import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatusBuilder;
import io.fabric8.kubernetes.client.server.mock.KubernetesMixedDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import java.net.InetAddress;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A fabric8 mock API server in CRUD mode (Secrets, ConfigMaps, Namespaces, watches) that also
 * answers TokenReviews truthfully from a table of tokens, as a real API server would: unknown tokens
 * are not authenticated, tokens for another audience are refused with the API server's error.
 */
public final class MockApiServer implements AutoCloseable {

    private record Token(String username, List<String> audiences, String error) {
    }

    private final KubernetesMockServer server;
    private final Map<String, Token> tokens = new ConcurrentHashMap<>();

    public MockApiServer() {
        Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
        server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, new KubernetesMixedDispatcher(responses), false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        server.expect().post().withPath("/apis/authentication.k8s.io/v1/tokenreviews")
                .andReply(201, request -> review(Serialization.unmarshal(request.getUtf8Body(), TokenReview.class)))
                .always();
    }

    public KubernetesMockServer server() {
        return server;
    }

    /** A valid token for {@code system:serviceaccount:<ns>:<sa>} with the given audiences. */
    public String serviceAccountToken(String namespace, String serviceAccount, String... audiences) {
        String token = "sa." + namespace + "." + serviceAccount + "." + String.join("+", audiences) + "." + tokens.size();
        tokens.put(token, new Token("system:serviceaccount:" + namespace + ":" + serviceAccount, List.of(audiences), null));
        return token;
    }

    /** A token the API server knows but refuses (expired, revoked). */
    public String refusedToken(String error) {
        String token = "refused." + tokens.size();
        tokens.put(token, new Token(null, List.of(), error));
        return token;
    }

    /** A valid token for a user that is not a service account. */
    public String userToken(String username, String audience) {
        String token = "user." + tokens.size();
        tokens.put(token, new Token(username, List.of(audience), null));
        return token;
    }

    private TokenReview review(TokenReview request) {
        Token token = tokens.get(request.getSpec().getToken());
        List<String> wanted = request.getSpec().getAudiences() == null ? List.of() : request.getSpec().getAudiences();
        TokenReviewStatusBuilder status = new TokenReviewStatusBuilder();
        if (token == null) {
            status.withAuthenticated(false).withError("[invalid bearer token, square/go-jose: error in cryptographic primitive]");
        } else if (token.error() != null) {
            status.withAuthenticated(false).withError(token.error());
        } else if (!wanted.isEmpty() && wanted.stream().noneMatch(token.audiences()::contains)) {
            status.withAuthenticated(false).withError("[invalid bearer token, token audiences " + token.audiences()
                    + " is invalid for the target audiences " + wanted + "]");
        } else {
            status.withAuthenticated(true).withNewUser().withUsername(token.username()).endUser()
                    .withAudiences(wanted.isEmpty() ? token.audiences() : wanted.stream().filter(token.audiences()::contains).toList());
        }
        request.setStatus(status.build());
        return request;
    }

    @Override
    public void close() {
        server.destroy();
    }
}
