package dev.mesh.proxy.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.util.JsonFormat;
import dev.mesh.proxy.tls.HttpChainSecurity;
import io.envoyproxy.envoy.config.listener.v3.Filter;
import io.envoyproxy.envoy.config.listener.v3.FilterChain;
import io.envoyproxy.envoy.config.listener.v3.Listener;
import io.envoyproxy.envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The RBAC filters config-distributor really sends (its authorization golden file for the ratings sidecar), read
 * and evaluated here: the two modules meet only on the wire format, so this checks both ends agree on it.
 */
class DistributorGoldenRbacTest {

    static final Path GOLDEN = Path.of("../config-distributor/src/test/resources/testdata/translate/authorization/ratings-1.json");
    static final String REVIEWS = "spiffe://cluster.local/ns/shop/sa/reviews";

    @Test
    void ratingsInbound_allowsReviewsWithVersion_deniesAdminAndOthers() throws Exception {
        HttpChainSecurity security = httpSecurity(9080);
        InboundAuthorization http = security.authorization();
        assertThat(http.isEmpty()).isFalse();
        assertThat(security.xfccMode()).isEqualTo(HttpConnectionManager.ForwardClientCertDetails.APPEND_FORWARD);
        assertThat(security.xfccDetails().getUri()).isTrue();
        assertThat(http.check(request("GET", "/ratings/1", REVIEWS, "v1"))).isEmpty();
        assertThat(http.check(request("GET", "/ratings/1", REVIEWS, "v3"))).isPresent();
        assertThat(http.check(request("GET", "/ratings/1", "spiffe://cluster.local/ns/shop/sa/productpage", "v1")))
                .isPresent();
        assertThat(http.check(request("GET", "/admin", REVIEWS, "v1")))
                .hasValueSatisfying(d -> assertThat(d.reason()).contains("deny-admin"));
        assertThat(http.check(request("GET", "/ratings/1", null, "v1"))).as("plain text").isPresent();
    }

    static RequestView request(String method, String path, String principal, String version) {
        return new RequestView(method, path, "ratings.shop.svc.cluster.local:9080", Map.of("x-version", List.of(version)),
                9080, "10.244.4.2", Optional.ofNullable(principal), "10.244.4.5", "10.244.4.5", "");
    }

    /** The mesh security of the first inbound HTTP chain for the port. */
    static HttpChainSecurity httpSecurity(int port) throws Exception {
        var root = new io.vertx.core.json.JsonObject(Files.readString(GOLDEN));
        JsonFormat.TypeRegistry types = dev.mesh.proxy.xds.EnvoyTypes.REGISTRY;
        JsonFormat.Parser parser = JsonFormat.parser().usingTypeRegistry(types).ignoringUnknownFields();
        for (Object node : root.getJsonArray("LDS")) {
            Listener.Builder listener = Listener.newBuilder();
            parser.merge(((io.vertx.core.json.JsonObject) node).encode(), listener);
            for (FilterChain chain : listener.getFilterChainsList()) {
                if (chain.getFilterChainMatch().getDestinationPort().getValue() != port) {
                    continue;
                }
                for (Filter filter : chain.getFiltersList()) {
                    if (filter.getTypedConfig().is(HttpConnectionManager.class)) {
                        HttpConnectionManager hcm = filter.getTypedConfig().unpack(HttpConnectionManager.class);
                        return HttpChainSecurity.from(hcm, listener.getName() + " " + chain.getName());
                    }
                }
            }
        }
        throw new AssertionError("no HTTP chain for port " + port + " in " + GOLDEN);
    }
}
