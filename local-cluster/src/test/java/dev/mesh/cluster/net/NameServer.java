package dev.mesh.cluster.net;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** A test backend run inside a network namespace: answers every request with its own name. */
public final class NameServer {

    private NameServer() {
    }

    public static void main(String[] args) throws IOException {
        byte[] name = args[0].getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(Integer.parseInt(args[1])), 16);
        server.createContext("/", exchange -> {
            exchange.sendResponseHeaders(200, name.length);
            exchange.getResponseBody().write(name);
            exchange.close();
        });
        server.start();
    }
}
