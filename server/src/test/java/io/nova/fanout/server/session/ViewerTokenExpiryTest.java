package io.nova.fanout.server.session;

import static io.nova.fanout.server.session.SessionFixtures.TOKEN_SECRET;
import static io.nova.fanout.server.session.SessionFixtures.await;
import static io.nova.fanout.server.session.SessionFixtures.drainMessages;
import static io.nova.fanout.server.session.SessionFixtures.drainOutbound;
import static io.nova.fanout.server.session.SessionFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.RefreshToken;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.protocol.TokenRefreshed;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.nova.fanout.server.auth.JwksKeys;
import io.nova.fanout.server.auth.TestJwks;
import io.nova.fanout.server.auth.TokenMinter;
import io.nova.fanout.server.testing.JwksFixture;
import java.util.concurrent.atomic.AtomicReference;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.connect.ViewerChannelInitializer;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.InProcessEventBus;
import io.nova.fanout.server.session.SessionFixtures.CapturedIssueLog;
import io.nova.fanout.server.session.SessionFixtures.Close;
import io.nova.fanout.server.session.SessionFixtures.Message;
import io.nova.fanout.server.session.SessionFixtures.MutableClock;
import io.nova.fanout.server.session.SessionFixtures.Received;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.stream.Stream.Builder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * A viewer held to its token: {@code TOKEN_EXPIRED} ahead of {@code exp}, a close 1008 once the handshake's
 * skew has run out, and {@code refresh_token} to move both, on a channel whose time the test moves.
 */
class ViewerTokenExpiryTest {
    private static final String STREAM_ID = "s1";
    private static final String VIEWER_ID = "viewer-1";
    private static final int MAX_FRAME_BYTES = 64 * 1024;
    private static final Instant START = Instant.parse("2025-10-21T10:30:45Z");
    private static final Duration WARNING = Duration.ofSeconds(30);
    /** The admitted token: warned at +90 s, closed at +150 s (exp plus the handshake's 30 s of skew). */
    private static final Instant EXPIRES_AT = START.plusSeconds(120);
    /** Pings so rare that they stay out of the way; the sweep still runs every second. */
    private static final ViewerSessions.Settings SETTINGS = new ViewerSessions.Settings(Duration.ofHours(1),
            Duration.ofSeconds(10), Duration.ofHours(2), Duration.ofSeconds(5), 16, MAX_FRAME_BYTES, 10, 20, WARNING);

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final FramePreEncoder encoder = SessionFixtures.encoder();
    private final MutableClock clock = new MutableClock(START);
    private final TokenMinter minter = new TokenMinter(TOKEN_SECRET, clock);

    private EmbeddedChannel channel;
    private StreamRegistry registry;
    private ViewerSessions sessions;

    @BeforeEach
    void start() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        List<EventLoop> loops = List.of(channel.eventLoop());
        Fanout fanout = new Fanout(loops, System::nanoTime, latency -> { });
        registry = new StreamRegistry(channel.eventLoop(), encoder, new InProcessEventBus(fanout), clock,
                MAX_FRAME_BYTES, Duration.ofDays(1), 0, Duration.ofMinutes(10));
        sessions = new ViewerSessions(loops, SETTINGS, SessionFixtures.CODEC, encoder, fanout,
                SessionFixtures.metrics(meters), new CapturedIssueLog(Level.INFO).issueLog(), clock,
                new TokenVerifier(TOKEN_SECRET, clock));
    }

    @AfterEach
    void stop() {
        channel.finishAndReleaseAll();
        sessions.stop();
        registry.close();
    }

    /** A viewer of a live stream admitted with a token expiring at {@code expiresAt}, greeting read away. */
    private void connect(Instant expiresAt) {
        assertThat(await(channel, registry.register(STREAM_ID, SessionFixtures.metadata())))
                .isInstanceOf(StreamOutcome.Applied.class);
        assertThat(await(channel, registry.apply(STREAM_ID, List.of(new StreamChange.Start()))))
                .isInstanceOf(StreamOutcome.Applied.class);
        Stream stream = registry.find(STREAM_ID).orElseThrow();
        channel.pipeline().addLast(ViewerChannelInitializer.WEBSOCKET, new ChannelInboundHandlerAdapter());
        sessions.install(channel.pipeline(), ViewerChannelInitializer.WEBSOCKET,
                new ViewerAdmission(stream, VIEWER_ID, expiresAt));
        channel.pipeline().fireUserEventTriggered(
                new HandshakeComplete("/api/v1/streams/" + STREAM_ID + "/ws", new DefaultHttpHeaders(), null));
        assertThat(drainMessages(channel)).hasSize(2);
    }

    /** Moves the server's clock and the channel's ticker together, running whatever falls due. */
    private void advance(Duration by) {
        clock.advance(by);
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runPendingTasks();
    }

    private void send(String token) {
        channel.writeInbound(text(new RefreshToken(token)));
        channel.runPendingTasks();
    }

    private ErrorEvent onlyError() {
        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).seq()).as("a notice to this connection, not a stream event").isEmpty();
        return received.get(0).as(ErrorEvent.class);
    }

    private double count(String meter, String outcome) {
        Counter counter = outcome == null ? meters.find(meter).counter() : meters.find(meter).tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    private double closes(int code) {
        Counter counter = meters.find("nova.client.closes").tag("code", Integer.toString(code)).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void warnsWithTokenExpiredBeforeExpThenClosesWith1008WhenTheSkewRunsOut() {
        connect(EXPIRES_AT);

        advance(Duration.ofSeconds(89));
        assertThat(drainOutbound(channel)).isEmpty();
        advance(Duration.ofSeconds(1));
        ErrorEvent warning = onlyError();
        assertThat(warning.errorCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        assertThat(warning.severity()).isEqualTo(Severity.WARNING);
        assertThat(warning.recoverable()).isTrue();
        assertThat(warning.suggestedAction()).isEqualTo("Send refresh_token with a new token");
        assertThat(warning.errorMessage()).isEqualTo("the token expires at 2025-10-21T10:32:45.000Z; the connection "
                + "will be closed at 2025-10-21T10:33:15.000Z unless refresh_token brings a new one");
        assertThat(warning.timestamp()).as("sent ahead of exp").isEqualTo(EXPIRES_AT.minus(WARNING));

        advance(Duration.ofSeconds(59));
        assertThat(drainOutbound(channel)).as("one warning per token; exp passed, the skew not yet").isEmpty();
        assertThat(channel.isOpen()).isTrue();
        advance(Duration.ofSeconds(1));
        assertThat(drainOutbound(channel)).containsExactly(new Close(1008, "token expired"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1008)).isEqualTo(1);
        assertThat(count("nova.token.expirations", null)).isEqualTo(1);
    }

    @Test
    void aNewTokenOfTheSameViewerKeepsTheConnectionPastTheOldExpiryAndIsWarnedAboutInTurn() {
        connect(EXPIRES_AT);
        advance(Duration.ofSeconds(90));
        assertThat(onlyError().errorCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);

        send(minter.viewerToken(VIEWER_ID, Duration.ofMinutes(10), List.of(STREAM_ID)));

        List<Message> answer = drainMessages(channel);
        assertThat(answer).hasSize(1);
        assertThat(answer.get(0).seq()).isEmpty();
        assertThat(answer.get(0).message()).isEqualTo(new TokenRefreshed(START.plusSeconds(690), START.plusSeconds(90)));
        assertThat(count("nova.token.refreshes", "accepted")).isEqualTo(1);

        advance(Duration.ofSeconds(120)); // +210 s: well past the old close at +150 s
        assertThat(drainOutbound(channel)).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        advance(Duration.ofSeconds(660 - 210));
        assertThat(onlyError().errorMessage()).startsWith("the token expires at 2025-10-21T10:42:15.000Z;");
        advance(Duration.ofSeconds(60));
        assertThat(drainOutbound(channel)).containsExactly(new Close(1008, "token expired"));
        assertThat(count("nova.token.expirations", null)).isEqualTo(1);
    }

    /** As at the handshake, a new token signed with a key the server has not read yet waits for one JWKS read. */
    @Test
    void aRefreshSignedWithAJustPublishedJwksKeyWaitsForOneReadAndIsAccepted() {
        EmbeddedChannel keysLoop = new EmbeddedChannel();
        keysLoop.freezeTime();
        RSAKey published = JwksFixture.rsaKey("published");
        RSAKey next = JwksFixture.rsaKey("next");
        AtomicReference<String> document = new AtomicReference<>(JwksFixture.jwks(published));
        JwksKeys jwks = TestJwks.start(document::get, Duration.ofMinutes(5), keysLoop.eventLoop());
        try {
            sessions.stop();
            List<EventLoop> loops = List.of(channel.eventLoop());
            Fanout fanout = new Fanout(loops, System::nanoTime, latency -> { });
            sessions = new ViewerSessions(loops, SETTINGS, SessionFixtures.CODEC, encoder, fanout,
                    SessionFixtures.metrics(meters), new CapturedIssueLog(Level.INFO).issueLog(), clock,
                    new TokenVerifier(TOKEN_SECRET, jwks, null, null, clock));
            connect(EXPIRES_AT);
            document.set(JwksFixture.jwks(published, next));
            keysLoop.advanceTimeBy(30, TimeUnit.SECONDS);

            send(JwksFixture.sign(next, new JWTClaimsSet.Builder().subject(VIEWER_ID)
                    .expirationTime(java.util.Date.from(START.plusSeconds(600))).build()));
            assertThat(drainOutbound(channel)).as("no answer before the read").isEmpty();

            keysLoop.runPendingTasks();
            channel.runPendingTasks();
            List<Message> answer = drainMessages(channel);
            assertThat(answer).hasSize(1);
            assertThat(answer.get(0).message()).isEqualTo(new TokenRefreshed(START.plusSeconds(600), START));
            assertThat(count("nova.token.refreshes", "accepted")).isEqualTo(1);
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void aRefreshWaitingForTheJwksIsDroppedWhenTheConnectionCloses() {
        EmbeddedChannel keysLoop = new EmbeddedChannel();
        keysLoop.freezeTime();
        RSAKey next = JwksFixture.rsaKey("next");
        AtomicReference<String> document = new AtomicReference<>(JwksFixture.jwks(JwksFixture.ecKey("old")));
        JwksKeys jwks = TestJwks.start(document::get, Duration.ofMinutes(5), keysLoop.eventLoop());
        try {
            sessions.stop();
            List<EventLoop> loops = List.of(channel.eventLoop());
            Fanout fanout = new Fanout(loops, System::nanoTime, latency -> { });
            sessions = new ViewerSessions(loops, SETTINGS, SessionFixtures.CODEC, encoder, fanout,
                    SessionFixtures.metrics(meters), new CapturedIssueLog(Level.INFO).issueLog(), clock,
                    new TokenVerifier(TOKEN_SECRET, jwks, null, null, clock));
            connect(EXPIRES_AT);
            document.set(JwksFixture.jwks(next));
            keysLoop.advanceTimeBy(30, TimeUnit.SECONDS);
            send(JwksFixture.sign(next, new JWTClaimsSet.Builder().subject(VIEWER_ID)
                    .expirationTime(java.util.Date.from(START.plusSeconds(600))).build()));

            channel.close();
            drainOutbound(channel);
            keysLoop.runPendingTasks();
            channel.runPendingTasks();

            assertThat(drainOutbound(channel)).isEmpty();
            assertThat(count("nova.token.refreshes", "accepted")).isZero();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    /** Tokens a refresh must refuse, made at +95 s, and the problem the viewer is told. */
    static java.util.stream.Stream<Arguments> refusedTokens() {
        Builder<Arguments> rows = java.util.stream.Stream.builder();
        rows.add(row("another viewer", (minter, clock) -> minter.viewerToken("viewer-2", Duration.ofHours(1)),
                "the token is for another viewer"));
        rows.add(row("another stream", (minter, clock) -> minter.viewerToken(VIEWER_ID, Duration.ofHours(1),
                List.of("s2")), "the token does not grant this stream"));
        rows.add(row("an earlier exp", (minter, clock) -> minter.viewerToken(VIEWER_ID, Duration.ofSeconds(10)),
                "the token does not expire later than the current one"));
        rows.add(row("the same exp", (minter, clock) -> minter.viewerToken(VIEWER_ID, Duration.ofSeconds(25)),
                "the token does not expire later than the current one"));
        rows.add(row("another secret", (minter, clock) -> new TokenMinter(
                "another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.US_ASCII), clock)
                .viewerToken(VIEWER_ID, Duration.ofHours(1)), "invalid or expired token"));
        rows.add(row("an expired token", (minter, clock) -> new TokenMinter(TOKEN_SECRET,
                Clock.offset(clock, Duration.ofHours(-2))).viewerToken(VIEWER_ID, Duration.ofHours(1)),
                "invalid or expired token"));
        rows.add(row("not a JWT", (minter, clock) -> "not.a.jwt", "invalid or expired token"));
        return rows.build();
    }

    private static Arguments row(String name, BiFunction<TokenMinter, Clock, String> token, String problem) {
        return Arguments.of(named(name, token), problem);
    }

    @ParameterizedTest
    @MethodSource("refusedTokens")
    void aRefusedTokenIsAnsweredWithInvalidTokenAndTheOldExpiryStands(BiFunction<TokenMinter, Clock, String> token,
            String problem) {
        connect(EXPIRES_AT);
        advance(Duration.ofSeconds(90));
        assertThat(onlyError().errorCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        advance(Duration.ofSeconds(5));

        send(token.apply(minter, clock));

        ErrorEvent refusal = onlyError();
        assertThat(refusal).isEqualTo(ErrorEvent.invalidToken(problem, START.plusSeconds(95)));
        assertThat(channel.isOpen()).as("a refused refresh does not close").isTrue();
        advance(Duration.ofSeconds(54));
        assertThat(drainOutbound(channel)).as("no second warning").isEmpty();
        advance(Duration.ofSeconds(1));
        assertThat(drainOutbound(channel)).containsExactly(new Close(1008, "token expired"));
        assertThat(count("nova.token.refreshes", "accepted")).isZero();
    }

    @Test
    void aRefreshThatArrivesOnceTheTokenRanOutIsTooLateEvenBeforeTheSweepNoticed() {
        // Half a second off the sweep's beat: the close falls due at +150.5 s, between the sweeps at +150 s and +151 s.
        connect(EXPIRES_AT.plusMillis(500));
        advance(Duration.ofSeconds(150));
        assertThat(onlyError().errorCode()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
        advance(Duration.ofMillis(500));
        assertThat(drainOutbound(channel)).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        send(minter.viewerToken(VIEWER_ID, Duration.ofHours(1)));

        assertThat(drainOutbound(channel)).containsExactly(new Close(1008, "token expired"));
        assertThat(count("nova.token.refreshes", "accepted")).isZero();
    }

    @Test
    void refreshesCountAgainstTheInboundRateLimit() {
        connect(EXPIRES_AT);

        for (int i = 0; i < 21; i++) {
            send("not.a.jwt");
        }

        List<Received> answers = drainOutbound(channel);
        assertThat(answers).hasSize(21);
        assertThat(answers.subList(0, 20)).allSatisfy(answer ->
                assertThat(((Message) answer).as(ErrorEvent.class).errorCode()).isEqualTo(ErrorCode.INVALID_TOKEN));
        assertThat(((Message) answers.get(20)).as(ErrorEvent.class).errorCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(count("nova.token.refreshes", "invalid")).isEqualTo(20);
    }

    @Test
    void aMalformedRefreshClosesWith1003LikeAnyInvalidMessage() {
        connect(EXPIRES_AT);

        channel.writeInbound(text("{\"event\":\"refresh_token\",\"data\":{\"token\":42}}"));
        channel.runPendingTasks();

        assertThat(drainOutbound(channel))
                .containsExactly(new Close(1003, "data.token: expected a string of 1..8192 characters"));
    }

    @Test
    void noTokenReachesTheLogs() {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        root.addAppender(logged);
        String accepted = minter.viewerToken(VIEWER_ID, Duration.ofHours(1));
        String refused = minter.viewerToken("viewer-2", Duration.ofHours(1));
        try {
            connect(EXPIRES_AT);
            advance(Duration.ofSeconds(90));
            send(refused);
            send(accepted);
            channel.writeInbound(text("{\"event\":\"refresh_token\",\"data\":{\"token\":\"" + refused + "\",\"x\":}}"));
            channel.runPendingTasks();
        } finally {
            root.detachAppender(logged);
        }

        List<Received> received = drainOutbound(channel);
        assertThat(received).hasSize(4).last().isInstanceOf(Close.class);
        assertThat(received.toString()).doesNotContain(accepted, refused);
        assertThat(logged.list).noneMatch(event -> event.getFormattedMessage().contains(accepted)
                || event.getFormattedMessage().contains(refused));
    }
}
