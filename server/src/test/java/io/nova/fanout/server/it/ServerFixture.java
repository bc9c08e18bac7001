package io.nova.fanout.server.it;

import io.nova.fanout.server.NovaServer;
import io.nova.fanout.server.ServerConfig;
import io.nova.fanout.server.auth.TokenMinter;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * A real {@link NovaServer} on ephemeral loopback ports, with tokens signed by its secret, a broadcaster
 * for its internal API and viewers for its viewer port. Closing it drops every viewer it opened, then
 * closes the server.
 */
final class ServerFixture implements AutoCloseable {
    static final byte[] SECRET = "nova-integration-test-secret-0123456789".getBytes(StandardCharsets.US_ASCII);
    static final Duration TOKEN_TTL = Duration.ofMinutes(10);

    private final NovaServer server;
    private final TokenMinter minter = new TokenMinter(SECRET, Clock.systemUTC());
    private final List<ViewerClient> viewers = new ArrayList<>();
    private final AtomicInteger viewerNumbers = new AtomicInteger();

    private ServerFixture(ServerConfig config) throws InterruptedException {
        this.server = NovaServer.start(config);
    }

    /** The test defaults: loopback, ephemeral ports, the test secret, the production timers. */
    static ServerConfig.Builder defaults() {
        return ServerConfig.builder()
                .host("127.0.0.1").port(0)
                .internalHost("127.0.0.1").internalPort(0)
                .jwtSecret(SECRET)
                .pingInterval(Duration.ofSeconds(30))
                .pingTimeout(Duration.ofSeconds(10))
                .idleTimeout(Duration.ofSeconds(60))
                .viewerCountInterval(Duration.ofMillis(50))
                .maxFrameBytes(256 * 1024)
                .bufferSize(100)
                .endGracePeriod(Duration.ofSeconds(2))
                // Tests close the server with viewers still connected, some of them not reading.
                .shutdownGrace(Duration.ofSeconds(1))
                // Tests connect hundreds of viewers at once from 127.0.0.1; AddressLimitsIntegrationTest sets these.
                .maxConnectionsPerIp(0).handshakeRatePerIp(0, 1);
    }

    static ServerFixture start() {
        return start(b -> b);
    }

    /** Starts a server with the defaults as changed by {@code tweak}. */
    static ServerFixture start(UnaryOperator<ServerConfig.Builder> tweak) {
        try {
            return new ServerFixture(tweak.apply(defaults()).build());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    NovaServer server() {
        return server;
    }

    int port() {
        return server.port();
    }

    int internalPort() {
        return server.internalPort();
    }

    TokenMinter minter() {
        return minter;
    }

    String viewerToken(String subject) {
        return minter.viewerToken(subject, TOKEN_TTL);
    }

    String viewerToken(String subject, List<String> streams) {
        return minter.viewerToken(subject, TOKEN_TTL, streams);
    }

    String broadcasterToken() {
        return minter.broadcasterToken("broadcaster-service", TOKEN_TTL);
    }

    /** The internal API with a broadcaster token for every stream. */
    Broadcaster broadcaster() {
        return new Broadcaster(URI.create("http://127.0.0.1:" + internalPort()), broadcasterToken());
    }

    /** The viewer path of a stream, without query. */
    static String viewerPath(String streamId) {
        return "/api/v1/streams/" + streamId + "/ws";
    }

    /** The viewer path with {@code ?token=}. */
    static String viewerTarget(String streamId, String token) {
        return viewerPath(streamId) + "?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
    }

    /** The viewer URI, with the token in the query unless it is {@code null}. */
    URI viewerUri(String streamId, String token) {
        return URI.create("ws://127.0.0.1:" + port() + (token == null ? viewerPath(streamId) : viewerTarget(streamId, token)));
    }

    URI ingestUri() {
        return URI.create("ws://127.0.0.1:" + internalPort() + "/internal/v1/ingest");
    }

    /** A fresh viewer subject, unique within this fixture. */
    String nextViewerId() {
        return "viewer-" + viewerNumbers.incrementAndGet();
    }

    /** Connects a viewer with a fresh token and default options. */
    ViewerClient viewer(String streamId) {
        return viewer(streamId, new ViewerClient.Options());
    }

    ViewerClient viewer(String streamId, ViewerClient.Options options) {
        return track(ViewerClient.connect(viewerUri(streamId, viewerToken(nextViewerId())), options));
    }

    /** Drops the client when the fixture closes. */
    ViewerClient track(ViewerClient client) {
        synchronized (viewers) {
            viewers.add(client);
        }
        return client;
    }

    @Override
    public void close() {
        List<ViewerClient> open;
        synchronized (viewers) {
            open = new ArrayList<>(viewers);
            viewers.clear();
        }
        open.forEach(ViewerClient::abort);
        server.close();
    }
}
