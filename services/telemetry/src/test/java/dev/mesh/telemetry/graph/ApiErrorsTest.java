package dev.mesh.telemetry.graph;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Bad query parameters are answered with 400 and a message naming the parameter. */
@QuarkusTest
class ApiErrorsTest {

    private static void badRequest(String uri, String parameter, String message) {
        given().when().get(uri).then().statusCode(400).body("parameter", equalTo(parameter))
                .body("error", containsString(message));
    }

    @Test
    void graphQuery_withoutNamespaces_isRefused() {
        badRequest("/api/namespaces/graph", "namespaces", "namespaces is required");
        badRequest("/api/namespaces/graph?namespaces=Demo_1", "namespaces", "\"Demo_1\" is not a namespace name");
    }

    @Test
    void graphQuery_withUnknownGraphType_isRefused() {
        badRequest("/api/namespaces/graph?namespaces=demo&graphType=pods", "graphType",
                "graphType \"pods\" is not one of workload, app, versionedApp, service");
    }

    @Test
    void graphQuery_withBadDuration_isRefused() {
        badRequest("/api/namespaces/graph?namespaces=demo&duration=soon", "duration", "is not a duration");
        badRequest("/api/namespaces/graph?namespaces=demo&duration=5h", "duration", "is longer than the 600s");
        badRequest("/api/namespaces/graph?namespaces=demo&duration=10ms", "duration", "shorter than one second");
    }

    @Test
    void graphQuery_withBadInjectServiceNodes_isRefused() {
        badRequest("/api/namespaces/graph?namespaces=demo&injectServiceNodes=yes", "injectServiceNodes",
                "want true or false");
    }

    @Test
    void traceQueries_withBadParameters_areRefused() {
        badRequest("/api/traces/xyz", "traceId", "is not 32 hexadecimal digits");
        badRequest("/api/traces?limit=0", "limit", "is not a number from 1 to 1000");
        badRequest("/api/traces?service=", "service", "service is empty");
    }

    @Test
    void unknownTrace_isNotFound() {
        given().when().get("/api/traces/0123456789abcdef0123456789abcdef").then().statusCode(404)
                .body("error", containsString("no span of trace 0123456789abcdef0123456789abcdef"));
    }
}
