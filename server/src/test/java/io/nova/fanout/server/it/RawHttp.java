package io.nova.fanout.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * HTTP/1.1 over a plain socket, for what the JDK clients hide: the body of a refused upgrade, requests with
 * hand-made headers, and the exact bytes of a response.
 */
final class RawHttp {
    static final int TIMEOUT_MILLIS = 5_000;
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    private static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

    /** A parsed response. Header names are lower-cased. */
    record Response(int status, String statusLine, Map<String, String> headers, byte[] body) {
        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        @Override
        public String toString() {
            return statusLine + " " + headers + " " + Json.abbreviate(bodyText());
        }
    }

    private RawHttp() {
    }

    /** Sends one request with {@code Connection: close} and reads the whole response. */
    static Response exchange(int port, String method, String target, Map<String, String> headers, byte[] body) {
        try (Socket socket = open(port)) {
            Map<String, String> all = new LinkedHashMap<>();
            all.put("Host", "127.0.0.1:" + port);
            all.putAll(headers);
            all.putIfAbsent("Connection", "close");
            if (body != null) {
                all.put("Content-Length", Integer.toString(body.length));
            }
            writeRequest(socket.getOutputStream(), method, target, all, body);
            return readResponse(socket.getInputStream(), true);
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + target + " on port " + port, e);
        }
    }

    static Response get(int port, String target) {
        return exchange(port, "GET", target, Map.of(), null);
    }

    /** The headers of a WebSocket upgrade request, with a fresh key. */
    static Map<String, String> upgradeHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Upgrade", "websocket");
        headers.put("Connection", "Upgrade");
        headers.put("Sec-WebSocket-Key", newKey());
        headers.put("Sec-WebSocket-Version", "13");
        return headers;
    }

    /**
     * Sends an upgrade request to {@code target} with extra headers and reads the answer: the head only for a
     * 101, head and body for a refusal. The connection is closed afterwards either way.
     */
    static Response upgrade(int port, String target, Map<String, String> extraHeaders) {
        try (Socket socket = open(port)) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Host", "127.0.0.1:" + port);
            headers.putAll(upgradeHeaders());
            headers.putAll(extraHeaders);
            writeRequest(socket.getOutputStream(), "GET", target, headers, null);
            return readResponse(socket.getInputStream(), false);
        } catch (IOException e) {
            throw new UncheckedIOException("upgrade " + target, e);
        }
    }

    static Socket open(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.setSoTimeout(TIMEOUT_MILLIS);
        socket.setTcpNoDelay(true);
        return socket;
    }

    static String newKey() {
        byte[] key = new byte[16];
        ThreadLocalRandom.current().nextBytes(key);
        return Base64.getEncoder().encodeToString(key);
    }

    static void writeRequest(OutputStream out, String method, String target, Map<String, String> headers, byte[] body)
            throws IOException {
        StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(" HTTP/1.1\r\n");
        headers.forEach((name, value) -> head.append(name).append(": ").append(value).append("\r\n"));
        head.append("\r\n");
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        if (body != null) {
            out.write(body);
        }
        out.flush();
    }

    /**
     * Reads a status line, headers and, unless the status is 101, a body: {@code Content-Length} bytes, or
     * everything up to the end of the stream when {@code untilEof} and no length is given.
     */
    static Response readResponse(InputStream in, boolean untilEof) throws IOException {
        String head = readHead(in);
        String[] lines = head.split("\r\n");
        String statusLine = lines[0];
        String[] parts = statusLine.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.")) {
            throw new IOException("not an HTTP response: " + statusLine);
        }
        int status = Integer.parseInt(parts[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
            }
        }
        byte[] body;
        String length = headers.get("content-length");
        if (status == 101) {
            body = new byte[0];
        } else if (length != null) {
            body = in.readNBytes(Integer.parseInt(length));
        } else if (untilEof) {
            body = readToEof(in);
        } else {
            body = new byte[0];
        }
        return new Response(status, statusLine, headers, body);
    }

    /** Reads up to and including the blank line, one byte at a time so nothing after it is consumed. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after " + head.size() + " bytes of response head: "
                        + head.toString(StandardCharsets.ISO_8859_1));
            }
            head.write(b);
            if (head.size() > MAX_HEADER_BYTES) {
                throw new IOException("response head over " + MAX_HEADER_BYTES + " bytes");
            }
            boolean expected = (matched % 2 == 0) ? b == '\r' : b == '\n';
            matched = expected ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    private static byte[] readToEof(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] chunk = new byte[8192];
        try {
            int n;
            while ((n = in.read(chunk)) >= 0) {
                body.write(chunk, 0, n);
                if (body.size() > MAX_BODY_BYTES) {
                    throw new IOException("body over " + MAX_BODY_BYTES + " bytes");
                }
            }
        } catch (SocketTimeoutException e) {
            throw new IOException("no end of body within " + TIMEOUT_MILLIS + " ms after " + body.size() + " bytes", e);
        }
        return body.toByteArray();
    }
}
