package io.nova.fanout.server.handshake;

import static io.nova.fanout.server.session.SessionFixtures.NOW;
import static io.nova.fanout.server.session.SessionFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ProtocolLimits;
import io.nova.fanout.server.auth.TokenMinter;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.connect.HealthCheckHandler;
import io.nova.fanout.server.connect.Readiness;
import io.nova.fanout.server.connect.StaticAssetHandler;
import io.nova.fanout.server.connect.StaticAssets;
import io.nova.fanout.server.connect.ViewerChannelInitializer;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.InProcessEventBus;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.SessionFixtures;
import io.nova.fanout.server.session.ViewerIssueLog;
import io.nova.fanout.server.session.ViewerSessions;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import io.nova.fanout.server.testing.TrackingAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.List;

/**
 * One viewer connection on the real viewer pipeline, with the streams "live" (started), "soon" (scheduled) and
 * "over" (ended), made afresh for each fuzz input so that no input's outcome depends on the inputs before it.
 * Its buffers come from a {@link TrackingAllocator}, and {@link #close} fails if one was not released.
 */
final class ViewerPortWorld implements AutoCloseable {
    static final String SUBJECT = "viewer-42";
    /** The production default of --handshake-timeout: how long an HTTP connection has for a complete request. */
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    static final List<String> JOINABLE = List.of("live", "soon");

    private static final byte[] SECRET = "a-fuzz-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final TokenVerifier VERIFIER = new TokenVerifier(SECRET, CLOCK);
    private static final NovaMetrics METRICS = SessionFixtures.metrics();
    private static final StaticAssets ASSETS = StaticAssets.viewerPort();

    /** Tokens a request may carry; the clock is fixed, so each is the same string in every run. */
    static final class Tokens {
        static final String ANY_STREAM = new TokenMinter(SECRET, CLOCK).viewerToken(SUBJECT, Duration.ofHours(1));
        static final String LIVE_ONLY =
                new TokenMinter(SECRET, CLOCK).viewerToken(SUBJECT, Duration.ofHours(1), List.of("live"));
        static final String OTHER_STREAM =
                new TokenMinter(SECRET, CLOCK).viewerToken(SUBJECT, Duration.ofHours(1), List.of("another-stream"));
        static final String EXPIRED = new TokenMinter(SECRET, Clock.fixed(NOW.minus(Duration.ofHours(2)), ZoneOffset.UTC))
                .viewerToken(SUBJECT, Duration.ofHours(1));
        static final String OTHER_SECRET = new TokenMinter(
                "another-secret-that-is-32-bytes-long".getBytes(StandardCharsets.UTF_8), CLOCK)
                .viewerToken(SUBJECT, Duration.ofHours(1));
        static final String UNSIGNED = HandshakeFixtures.base64Url("{\"alg\":\"none\"}") + "."
                + HandshakeFixtures.base64Url("{\"sub\":\"" + SUBJECT + "\",\"exp\":"
                        + NOW.plus(Duration.ofHours(1)).getEpochSecond() + "}") + ".";

        /** The tokens that admit a viewer to {@code streamId}. */
        static List<String> admitting(String streamId) {
            return "live".equals(streamId) ? List.of(ANY_STREAM, LIVE_ONLY) : List.of(ANY_STREAM);
        }

        private Tokens() {
        }
    }

    final TrackingAllocator allocator = new TrackingAllocator();
    final EmbeddedChannel viewer = new EmbeddedChannel();
    final ConnectionLimiter limiter;
    final Fanout fanout;
    private final EmbeddedChannel home = new EmbeddedChannel();
    private final StreamRegistry registry;
    private final ViewerSessions sessions;

    ViewerPortWorld(AllowedOrigins origins, int maxConnections) {
        viewer.config().setAllocator(allocator);
        viewer.freezeTime();
        home.freezeTime();
        FramePreEncoder encoder = new FramePreEncoder(SessionFixtures.CODEC, allocator);
        fanout = new Fanout(List.of(viewer.eventLoop()), System::nanoTime, latency -> { });
        registry = new StreamRegistry(home.eventLoop(), encoder, new InProcessEventBus(fanout), CLOCK,
                ProtocolLimits.MAX_FRAME_BYTES, Duration.ofDays(1), 0, Duration.ofMinutes(10));
        sessions = new ViewerSessions(List.of(viewer.eventLoop()), new ViewerSessions.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(5), 100, ProtocolLimits.MAX_FRAME_BYTES,
                10, 20, Duration.ofSeconds(30)), SessionFixtures.CODEC, encoder, fanout, METRICS, new ViewerIssueLog(),
                CLOCK, VERIFIER);
        limiter = new ConnectionLimiter(maxConnections);
        register("live", new StreamChange.Start());
        register("soon");
        register("over", new StreamChange.Start(), new StreamChange.End(EndReason.BROADCASTER_ENDED));
        HandshakeLog handshakeLog = new HandshakeLog(System::nanoTime);
        // An EmbeddedChannel has no IP address, so the address limits let it through, as they do a Unix socket.
        AddressLimits addressLimits = new AddressLimits(maxConnections + 1, 1_000, 1_000, System::nanoTime);
        new ViewerChannelInitializer(new HealthCheckHandler(() -> Readiness.READY), new StaticAssetHandler(ASSETS),
                () -> new AddressLimitHandler(addressLimits, METRICS, handshakeLog),
                () -> new ViewerHandshakeHandler(VERIFIER, registry, limiter, sessions, METRICS, origins, handshakeLog,
                        ViewerChannelInitializer.WEBSOCKET),
                ProtocolLimits.MAX_FRAME_BYTES, REQUEST_TIMEOUT_MILLIS, null)
                .addHandlers(viewer.pipeline());
    }

    private void register(String id, StreamChange... changes) {
        assertThat(await(home, registry.register(id, SessionFixtures.metadata())))
                .isInstanceOf(StreamOutcome.Applied.class);
        if (changes.length > 0) {
            assertThat(await(home, registry.apply(id, List.of(changes)))).isInstanceOf(StreamOutcome.Applied.class);
        }
    }

    /** Whether Netty's handshake replaced the HTTP codec with WebSocket frames. */
    boolean upgraded() {
        return viewer.pipeline().get("http") == null && viewer.pipeline().get("viewer-session") != null;
    }

    int audience() {
        return fanout.audienceSize("live") + fanout.audienceSize("soon");
    }

    /** Closes everything and fails if a buffer was left unreleased or an exception is still pending. */
    @Override
    public void close() {
        try {
            viewer.finishAndReleaseAll();
        } finally {
            sessions.stop();
            registry.close();
            home.finishAndReleaseAll();
        }
        allocator.assertAllReleased();
    }
}
