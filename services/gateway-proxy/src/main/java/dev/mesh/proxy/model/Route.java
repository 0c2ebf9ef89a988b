package dev.mesh.proxy.model;

/** One Envoy route: a match, an action, header operations and an optional fault. */
public record Route(String name, RouteMatch match, Action action, HeaderOps headerOps, Fault fault) {}
