package dev.mesh.cluster.node;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * One HTTP/1.1 POST over TLS to an address, with the server's certificate checked for a name that may differ from
 * the address: the API server dials a Service's endpoint but checks the certificate for
 * {@code <service>.<namespace>.svc}, which the JDK's HTTP client cannot do.
 */
final class HttpsPost {

    /** Largest answer read; an AdmissionReview with a patch is a few KiB. */
    private static final int MAX_BODY = 8 * 1024 * 1024;

    record Response(int status, byte[] body) {
    }

    private final SSLContext tls;

    HttpsPost(SSLContext tls) {
        this.tls = tls;
    }

    Response post(InetSocketAddress address, String serverName, String pathAndQuery, byte[] body, Duration timeout)
            throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Socket raw = new Socket();
        try {
            raw.connect(address, remainingMillis(deadline));
            raw.setSoTimeout(remainingMillis(deadline));
            try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(raw, serverName,
                    address.getPort(), true)) {
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
                OutputStream out = socket.getOutputStream();
                String head = "POST " + pathAndQuery + " HTTP/1.1\r\nHost: " + serverName + ":" + address.getPort()
                        + "\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: "
                        + body.length + "\r\nConnection: close\r\n\r\n";
                out.write(head.getBytes(StandardCharsets.US_ASCII));
                out.write(body);
                out.flush();
                return read(new java.io.BufferedInputStream(socket.getInputStream()), deadline, socket);
            }
        } catch (SocketTimeoutException e) {
            throw new SocketTimeoutException("no answer within " + timeout.toSeconds() + "s (timeoutSeconds)");
        } finally {
            raw.close();
        }
    }

    private static Response read(InputStream in, long deadline, Socket socket) throws IOException {
        String statusLine = line(in);
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP/1.1 answer: \"" + statusLine + "\"");
        }
        int status;
        try {
            status = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IOException("not an HTTP status line: \"" + statusLine + "\"");
        }
        long length = -1;
        boolean chunked = false;
        for (String header = line(in); !header.isEmpty(); header = line(in)) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = header.substring(colon + 1).strip();
            if (name.equals("content-length")) {
                length = Long.parseLong(value);
            } else if (name.equals("transfer-encoding") && value.toLowerCase(Locale.ROOT).contains("chunked")) {
                chunked = true;
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if (chunked) {
            for (long size = Long.parseLong(line(in).split(";", 2)[0].strip(), 16); size > 0;
                    size = Long.parseLong(line(in).split(";", 2)[0].strip(), 16)) {
                copy(in, body, size, deadline, socket);
                line(in);
            }
        } else if (length >= 0) {
            copy(in, body, length, deadline, socket);
        } else {
            copy(in, body, Long.MAX_VALUE, deadline, socket);
        }
        return new Response(status, body.toByteArray());
    }

    private static void copy(InputStream in, ByteArrayOutputStream out, long count, long deadline, Socket socket)
            throws IOException {
        byte[] buffer = new byte[8192];
        long left = count;
        while (left > 0) {
            socket.setSoTimeout(remainingMillis(deadline));
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                if (count == Long.MAX_VALUE) {
                    return;
                }
                throw new IOException("connection closed " + left + " bytes before the end of the answer");
            }
            out.write(buffer, 0, n);
            left -= n;
            if (out.size() > MAX_BODY) {
                throw new IOException("answer larger than " + MAX_BODY + " bytes");
            }
        }
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed in the middle of the answer's head");
            }
            if (c != '\r') {
                line.append((char) c);
            }
            if (line.length() > 16384) {
                throw new IOException("answer head line longer than 16 KiB");
            }
        }
        return line.toString();
    }

    private static int remainingMillis(long deadline) throws SocketTimeoutException {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("deadline passed");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }
}
