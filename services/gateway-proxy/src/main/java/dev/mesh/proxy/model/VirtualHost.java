package dev.mesh.proxy.model;

import java.util.List;

public record VirtualHost(String name, List<String> domains, List<Route> routes, HeaderOps headerOps) {}
