package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A client that never finishes its request is answered 408 and cut off, however slowly it sends. */
class SlowRequestIntegrationTest {
    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void anUnfinishedUpgradeRequestIsCutOffWith408() throws IOException {
        fixture = ServerFixture.start(b -> b.handshakeTimeout(Duration.ofMillis(500)));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", fixture.port()), 5_000);
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            long started = System.nanoTime();
            out.write("GET /api/v1/streams/demo/ws HTTP/1.1\r\nHost: 127.0.0.1\r\nUpg".getBytes(StandardCharsets.US_ASCII));
            out.flush();

            String answer = readToEnd(socket.getInputStream());
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(answer).startsWith("HTTP/1.1 408 Request Timeout").contains("no complete request within 500 ms");
            assertThat(took).isBetween(Duration.ofMillis(400), Duration.ofSeconds(4));
        }
    }

    private static String readToEnd(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
}
