package dev.mesh.proxy.http;

/**
 * Sees every finished request (access log, telemetry export). Called on the event loop that served the request,
 * once per request: it must not block, and should hand slow work (I/O, export) to its own thread through a
 * bounded queue. The router builds a {@link RequestRecord} only when at least one observer is registered.
 */
@FunctionalInterface
public interface RequestObserver {

    void onRequest(RequestRecord request);
}
