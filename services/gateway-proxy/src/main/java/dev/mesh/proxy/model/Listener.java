package dev.mesh.proxy.model;

/**
 * An LDS listener with an HTTP connection manager: where to listen and which route table to use. A listener
 * with {@code bindToPort == false} is a sidecar's virtual listener: it owns no socket, traffic reaches it
 * through the capture listeners.
 */
public record Listener(String name, String address, int port, String routeConfigName, boolean bindToPort) {}
