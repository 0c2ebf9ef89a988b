package dev.mesh.proxy.testing;

import dev.mesh.proxy.GatewayProxy;
import dev.mesh.proxy.xds.XdsState;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The setup most scenario tests share: a router-mode proxy with one HTTP listener on a free port, configured by
 * its own {@link FakeControlPlane}, and one loopback {@link Backend}; ready when returned, all closed together.
 */
public final class ScenarioProxy implements AutoCloseable {

    /** Sets CDS, EDS and RDS (route table {@code http.<port>}) for the backend; LDS is the one listener. */
    @FunctionalInterface
    public interface Config {
        void apply(FakeControlPlane cp, Backend backend, int port) throws Exception;
    }

    public final Vertx vertx;
    public final Backend backend;
    public final FakeControlPlane cp;
    public final int port;
    public final GatewayProxy proxy;

    private ScenarioProxy(Vertx vertx, Backend backend, FakeControlPlane cp, int port, GatewayProxy proxy) {
        this.vertx = vertx;
        this.backend = backend;
        this.cp = cp;
        this.port = port;
        this.proxy = proxy;
    }

    public static ScenarioProxy start(Path dir, String backendName, Config config) throws Exception {
        Vertx vertx = Vertx.vertx();
        Backend backend = Backend.start(vertx, backendName);
        int port = ProxyHarness.freePort();
        FakeControlPlane cp = new FakeControlPlane().start();
        config.apply(cp, backend, port);
        cp.set(XdsState.LDS, List.of(Resources.httpListener(port)));
        GatewayProxy proxy = ProxyHarness.startProxy(vertx, cp.address(), dir.resolve("saved.pb"), Duration.ofSeconds(5));
        ProxyHarness.await("first config", Duration.ofSeconds(10), proxy::ready);
        return new ScenarioProxy(vertx, backend, cp, port, proxy);
    }

    @Override
    public void close() throws Exception {
        proxy.close();
        cp.close();
        backend.close();
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
