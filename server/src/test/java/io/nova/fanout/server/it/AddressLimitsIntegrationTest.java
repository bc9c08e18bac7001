package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The viewer port's limits per address on a real server, from real loopback addresses (127.0.0.1 and
 * 127.0.0.2 are different addresses to it), and its request size limits.
 */
class AddressLimitsIntegrationTest {
    private static final String STREAM = "limited";

    private ServerFixture fixture;
    private final List<Socket> sockets = new ArrayList<>();

    @AfterEach
    void stopServer() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void anAddressOverItsConnectionLimitGets429WhileAnotherAddressConnects() throws IOException {
        fixture = ServerFixture.start(b -> b.maxConnectionsPerIp(3));
        fixture.broadcaster().goLive(STREAM);
        // Three connections from 127.0.0.1 that stay open: a slow client, or an attacker. Each asks for
        // /health first (kept alive), so that the server has surely counted it before the next one comes.
        for (int i = 0; i < 3; i++) {
            Socket idle = connect("127.0.0.1");
            sockets.add(idle);
            RawHttp.writeRequest(idle.getOutputStream(), "GET", "/health",
                    Map.of("Host", "127.0.0.1:" + fixture.port()), null);
            assertThat(RawHttp.readResponse(idle.getInputStream(), false).status()).isEqualTo(200);
        }

        RawHttp.Response refused = upgradeFrom("127.0.0.1");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.headers()).containsEntry("retry-after", "5");
        assertThat(refused.bodyText()).isEqualTo(
                "{\"error_code\":\"RATE_LIMITED\",\"error_message\":\"too many connections from this address\"}");

        assertThat(upgradeFrom("127.0.0.2").status()).as("another address").isEqualTo(101);

        sockets.remove(0).close();
        RawHttp.Response afterOneLeft = awaitStatus("127.0.0.1", 101);
        assertThat(afterOneLeft.status()).as("a slot freed by a closed connection").isEqualTo(101);
        assertThat(fixture.server().scrapeMetrics()).contains("nova_handshakes_total{outcome=\"RATE_LIMITED\"}");
    }

    @Test
    void anAddressOverItsHandshakeRateGets429WithTheWaitWhileAnotherAddressConnects() {
        fixture = ServerFixture.start(b -> b.handshakeRatePerIp(1, 5));
        fixture.broadcaster().goLive(STREAM);
        for (int i = 0; i < 5; i++) {
            assertThat(upgradeFrom("127.0.0.1").status()).as("handshake %d of the burst", i + 1).isEqualTo(101);
        }
        RawHttp.Response refused = upgradeFrom("127.0.0.1");
        assertThat(refused.status()).isEqualTo(429);
        assertThat(Integer.parseInt(refused.headers().get("retry-after"))).isBetween(1, 2);
        assertThat(refused.bodyText()).contains("too many handshakes from this address");

        assertThat(upgradeFrom("127.0.0.2").status()).isEqualTo(101);
        // Probes are not handshakes: an orchestrator can still ask.
        assertThat(RawHttp.get(fixture.port(), "/health").status()).isEqualTo(200);
    }

    @Test
    void anOverlongRequestLineIs414OverlargeHeadersAre431AndABodyOverTheLimitIs413() {
        fixture = ServerFixture.start();
        RawHttp.Response longLine = RawHttp.get(fixture.port(),
                "/api/v1/streams/" + STREAM + "/ws?token=" + "x".repeat(9000));
        assertThat(longLine.status()).isEqualTo(414);
        assertThat(longLine.bodyText()).contains("\"error_code\":\"PROTOCOL_ERROR\"");

        RawHttp.Response bigHeaders = RawHttp.exchange(fixture.port(), "GET", "/api/v1/streams/" + STREAM + "/ws",
                Map.of("X-Padding", "y".repeat(9000)), null);
        assertThat(bigHeaders.status()).isEqualTo(431);

        RawHttp.Response bigBody = RawHttp.exchange(fixture.port(), "GET", "/api/v1/streams/" + STREAM + "/ws",
                Map.of(), new byte[9000]);
        assertThat(bigBody.status()).isEqualTo(413);
        assertThat(bigBody.bodyText()).contains("\"error_code\"");
    }

    private RawHttp.Response awaitStatus(String from, int status) {
        long deadline = System.nanoTime() + 10_000_000_000L;
        RawHttp.Response response = upgradeFrom(from);
        while (response.status() != status && System.nanoTime() < deadline) {
            ItAssertions.sleep(20); // the server counts the close when its event loop sees it
            response = upgradeFrom(from);
        }
        return response;
    }

    private RawHttp.Response upgradeFrom(String from) {
        try (Socket socket = connect(from)) {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Host", "127.0.0.1:" + fixture.port());
            headers.putAll(RawHttp.upgradeHeaders());
            String token = fixture.minter().viewerToken("limited-viewer", ServerFixture.TOKEN_TTL);
            RawHttp.writeRequest(socket.getOutputStream(), "GET", "/api/v1/streams/" + STREAM + "/ws?token=" + token,
                    headers, null);
            return RawHttp.readResponse(socket.getInputStream(), false);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Socket connect(String from) {
        try {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", fixture.port()), 5_000);
            socket.setSoTimeout(10_000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
