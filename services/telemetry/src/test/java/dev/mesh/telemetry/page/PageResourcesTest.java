package dev.mesh.telemetry.page;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.greaterThan;

import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** The page and the library it draws with are served from the jar. */
@QuarkusTest
class PageResourcesTest {

    @Test
    void page_isServedAtTheRootAndAtGraph() {
        given().when().get("/").then().statusCode(200).body(containsString("<title>mesh telemetry · graph</title>"));
        given().when().get("/graph?namespace=demo").then().statusCode(200)
                .body(containsString("src=\"vendor/cytoscape.min.js\""));
    }

    @Test
    void cytoscape_isBundledInTheJar() {
        given().when().get("/vendor/cytoscape.min.js").then().statusCode(200)
                .body(containsString("cytoscape"))
                .header("content-length", Integer::parseInt, greaterThan(300_000));
    }
}
