package dev.mesh.ca.grpc;

import dev.mesh.ca.auth.Credentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Puts what the caller presented (authorization header, TLS client chain) into each call's Context.
 * Done by wrapping the service's call handlers rather than as a {@code ServerInterceptor}, which
 * Quarkus's gRPC extension would pick up and report as an unused global interceptor.
 */
final class CallerCredentials {

    static final Context.Key<Credentials> KEY = Context.key("citadel-ca-credentials");
    private static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

    private CallerCredentials() {
    }

    static ServerServiceDefinition attach(ServerServiceDefinition service) {
        ServerServiceDefinition.Builder builder = ServerServiceDefinition.builder(service.getServiceDescriptor());
        service.getMethods().forEach(method -> builder.addMethod(wrap(method)));
        return builder.build();
    }

    private static <Q, R> ServerMethodDefinition<Q, R> wrap(ServerMethodDefinition<Q, R> method) {
        ServerCallHandler<Q, R> next = method.getServerCallHandler();
        return method.withServerCallHandler((call, headers) -> {
            Credentials credentials = new Credentials(headers.get(AUTHORIZATION),
                    peerChain(call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION)));
            return Contexts.interceptCall(Context.current().withValue(KEY, credentials), call, headers, next);
        });
    }

    private static List<X509Certificate> peerChain(SSLSession session) {
        List<X509Certificate> chain = new ArrayList<>();
        if (session == null) {
            return chain;
        }
        try {
            for (Certificate certificate : session.getPeerCertificates()) {
                if (certificate instanceof X509Certificate x509) {
                    chain.add(x509);
                }
            }
        } catch (SSLPeerUnverifiedException e) {
            // the caller sent no client certificate: it authenticates with a token instead
        }
        return chain;
    }
}
