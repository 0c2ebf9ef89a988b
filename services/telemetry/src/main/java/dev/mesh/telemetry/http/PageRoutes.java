package dev.mesh.telemetry.http;

import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/** {@code /graph?namespace=…}: the graph page (META-INF/resources/index.html) under a name that says what it is. */
@Singleton
public class PageRoutes {

    void routes(@Observes Router router) {
        router.get("/graph").handler(ctx -> ctx.reroute("/index.html"));
    }
}
