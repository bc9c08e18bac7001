package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

class JwksReaderTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final CountDownLatch release = new CountDownLatch(1);
    private HttpServer server;

    @AfterEach
    void tearDown() {
        release.countDown();
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void readsAFile(@TempDir Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("jwks.json"), "{\"keys\":[]}");
        assertThat(new String(JwksReader.of(file.toUri(), TIMEOUT).read(), UTF_8)).isEqualTo("{\"keys\":[]}");
    }

    @Test
    void missingOrOversizeFileFailsSayingWhy(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> JwksReader.of(dir.resolve("absent.json").toUri(), TIMEOUT).read())
                .isInstanceOf(IOException.class).hasMessage("no such file");
        final Path big = Files.write(dir.resolve("big.json"), new byte[JwksReader.MAX_BYTES + 1]);
        assertThatThrownBy(() -> JwksReader.of(big.toUri(), TIMEOUT).read())
                .isInstanceOf(IOException.class).hasMessage("larger than 1048576 bytes");
    }

    @Test
    void readsAnHttpUrl() throws IOException {
        serve("/jwks", 200, "{\"keys\":[]}".getBytes(UTF_8));
        assertThat(new String(JwksReader.of(url("/jwks"), TIMEOUT).read(), UTF_8)).isEqualTo("{\"keys\":[]}");
    }

    @Test
    void anyStatusButOkFails() throws IOException {
        serve("/jwks", 404, "{}".getBytes(UTF_8));
        assertThatThrownBy(() -> JwksReader.of(url("/jwks"), TIMEOUT).read())
                .isInstanceOf(IOException.class).hasMessage("HTTP 404 (expected: 200)");
    }

    @Test
    void redirectsAreNotFollowed() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/old", exchange -> {
            exchange.getResponseHeaders().set("Location", "/jwks");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.start();
        assertThatThrownBy(() -> JwksReader.of(url("/old"), TIMEOUT).read())
                .isInstanceOf(IOException.class).hasMessage("HTTP 302 (expected: 200)");
    }

    @Test
    void bodyOverTheLimitFails() throws IOException {
        serve("/jwks", 200, new byte[JwksReader.MAX_BYTES + 1]);
        assertThatThrownBy(() -> JwksReader.of(url("/jwks"), TIMEOUT).read())
                .isInstanceOf(IOException.class).hasMessage("body larger than 1048576 bytes");
    }

    @Test
    void aServerThatNeverFinishesTimesOut() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/slow", exchange -> {
            // Headers at once, then a body that never comes: the JDK client's own timeout does not cover it.
            exchange.sendResponseHeaders(200, 100);
            OutputStream out = exchange.getResponseBody();
            out.write('{');
            out.flush();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.start();
        final long start = System.nanoTime();
        assertThatThrownBy(() -> JwksReader.of(url("/slow"), Duration.ofMillis(300)).read())
                .isInstanceOf(IOException.class).hasMessage("no complete answer within 300 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void aClosedPortFailsNamingTheCause() throws IOException {
        final int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        assertThatThrownBy(() -> JwksReader.of(URI.create("http://127.0.0.1:" + port + "/jwks"), TIMEOUT).read())
                .isInstanceOf(IOException.class).hasMessageStartingWith("ConnectException");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> JwksReader.of(URI.create("ftp://idp.example/jwks"), TIMEOUT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jwksUrl: ftp://idp.example/jwks (expected: https:, http: or file:)");
    }

    private void serve(String path, int status, byte[] body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext(path, exchange -> {
            exchange.sendResponseHeaders(status, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }
}
