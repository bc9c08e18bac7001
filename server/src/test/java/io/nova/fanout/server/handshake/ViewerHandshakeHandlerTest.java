package io.nova.fanout.server.handshake;

import io.nova.fanout.server.connect.ViewerChannelInitializer;

import static io.nova.fanout.server.handshake.HandshakeFixtures.copyOf;
import static io.nova.fanout.server.handshake.HandshakeFixtures.upgrade;
import static io.nova.fanout.server.session.SessionFixtures.NOW;
import static io.nova.fanout.server.session.SessionFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.ReferenceCountUtil;
import io.nova.fanout.protocol.ConnectionEstablished;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.StreamInfo;
import io.nova.fanout.protocol.StreamStarted;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.nova.fanout.server.auth.JwksKeys;
import io.nova.fanout.server.auth.TestJwks;
import io.nova.fanout.server.auth.TokenMinter;
import io.nova.fanout.server.connect.RequestTimeoutHandler;
import io.nova.fanout.server.testing.JwksFixture;
import java.util.concurrent.atomic.AtomicReference;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.InProcessEventBus;
import io.nova.fanout.server.handshake.HandshakeFixtures.Response;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.SessionFixtures;
import io.nova.fanout.server.session.SessionFixtures.Close;
import io.nova.fanout.server.session.SessionFixtures.Message;
import io.nova.fanout.server.session.SessionFixtures.Received;
import io.nova.fanout.server.session.ViewerIssueLog;
import io.nova.fanout.server.session.ViewerSessions;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ViewerHandshakeHandlerTest {
    private static final byte[] SECRET = "a-test-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.UTF_8);
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final int MAX_FRAME_BYTES = 64 * 1024;
    private static final String SUBJECT = "viewer-42";
    private static final String UNAUTHORIZED_BODY =
            "{\"error_code\":\"CONNECTION_REJECTED\",\"error_message\":\"invalid or expired token\"}";

    private final TokenMinter minter = new TokenMinter(SECRET, CLOCK);
    private final TokenVerifier verifier = new TokenVerifier(SECRET, CLOCK);
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NovaMetrics metrics = SessionFixtures.metrics(meters);
    private final FramePreEncoder encoder = SessionFixtures.encoder();
    private final List<EmbeddedChannel> viewers = new ArrayList<>();
    /** What the handshake handler passed on to the stand-in for Netty's WebSocket handler. */
    private final List<Object> passedOn = new ArrayList<>();
    private final ListAppender<ILoggingEvent> logLines = new ListAppender<>();
    private final HandshakeLog handshakeLog = new HandshakeLog(HandshakeLogTest.recordingLogger(logLines), System::nanoTime);

    /** Homes the streams; a separate channel so its loop runs only when the test says so. */
    private EmbeddedChannel home;
    private Fanout fanout;
    private StreamRegistry registry;
    private ViewerSessions sessions;

    @BeforeEach
    void setUp() {
        home = new EmbeddedChannel();
        home.freezeTime();
        List<EventLoop> loops = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            EmbeddedChannel viewer = new EmbeddedChannel();
            viewer.freezeTime();
            viewers.add(viewer);
            loops.add(viewer.eventLoop());
        }
        fanout = new Fanout(loops, System::nanoTime, latency -> { });
        registry = new StreamRegistry(home.eventLoop(), encoder, new InProcessEventBus(fanout), CLOCK,
                MAX_FRAME_BYTES, Duration.ofDays(1), 0, Duration.ofMinutes(10));
        sessions = new ViewerSessions(loops, new ViewerSessions.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ofSeconds(5), 100, MAX_FRAME_BYTES, 10, 20,
                Duration.ofSeconds(30)), SessionFixtures.CODEC, encoder, fanout, metrics, new ViewerIssueLog(), CLOCK,
                verifier);
        register("live", new StreamChange.Start());
        register("soon");
        register("over", new StreamChange.Start(), new StreamChange.End(EndReason.BROADCASTER_ENDED));
    }

    @AfterEach
    void tearDown() {
        sessions.stop();
        registry.close();
        for (EmbeddedChannel viewer : viewers) {
            viewer.finishAndReleaseAll();
        }
        passedOn.forEach(ReferenceCountUtil::release);
        home.finishAndReleaseAll();
    }

    private void register(String id, StreamChange... changes) {
        assertThat(await(home, registry.register(id, SessionFixtures.metadata())))
                .isInstanceOf(StreamOutcome.Applied.class);
        if (changes.length > 0) {
            assertThat(await(home, registry.apply(id, List.of(changes)))).isInstanceOf(StreamOutcome.Applied.class);
        }
    }

    /** Origins the handler allows; tests that check them set it before the first request. */
    private AllowedOrigins origins = AllowedOrigins.of(List.of(AllowedOrigins.ANY));

    private ViewerHandshakeHandler handler(ConnectionLimiter limiter) {
        return handler(limiter, verifier);
    }

    private ViewerHandshakeHandler handler(ConnectionLimiter limiter, TokenVerifier tokens) {
        return new ViewerHandshakeHandler(tokens, registry, limiter, sessions, metrics, origins, handshakeLog,
                ViewerChannelInitializer.WEBSOCKET);
    }

    /**
     * Viewer channel {@code i} with the handshake handler and, where Netty's WebSocket handler would be, a
     * stand-in that keeps what it receives. The session handlers an admission installs go behind it.
     */
    private EmbeddedChannel handshakeOnly(int i, ConnectionLimiter limiter) {
        EmbeddedChannel channel = viewers.get(i);
        channel.pipeline().addLast("handshake", handler(limiter));
        channel.pipeline().addLast(ViewerChannelInitializer.WEBSOCKET, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add(msg);
            }
        });
        return channel;
    }

    private EmbeddedChannel handshakeOnly() {
        return handshakeOnly(0, new ConnectionLimiter(10));
    }

    private String token() {
        return minter.viewerToken(SUBJECT, Duration.ofHours(1));
    }

    private static String path(String streamId) {
        return "/api/v1/streams/" + streamId + "/ws";
    }

    private String withToken(String streamId) {
        return path(streamId) + "?token=" + token();
    }

    /**
     * Sends a request the handler must refuse and returns the response; checks what every refusal shares:
     * a JSON body, the request released and not passed on, and the connection closed.
     */
    private Response refused(FullHttpRequest request, HttpResponseStatus status, String errorCode) {
        EmbeddedChannel channel = handshakeOnly();
        channel.writeInbound(request);
        channel.runPendingTasks();

        assertThat(request.refCnt()).as("request released").isZero();
        assertThat(passedOn).as("request not passed on").isEmpty();
        FullHttpResponse raw = channel.readOutbound();
        assertThat(raw).isNotNull();
        Response response = copyOf(raw);
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                .isEqualTo(response.body().getBytes(StandardCharsets.UTF_8).length);
        assertThat(response.errorCode()).isEqualTo(errorCode);
        assertThat(response.json().get("error_message").asText()).isNotBlank();
        assertThat(response.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN))
                .as("readable by a player page on another origin").isEqualTo("*");
        assertThat(channel.isOpen()).as("a refusal closes the connection").isFalse();
        assertThat(channel.pipeline().get("viewer-session")).isNull();
        assertThat(handshakes(errorCode)).isEqualTo(1);
        assertThat(handshakes("accepted")).isZero();
        return response;
    }

    /** Sends a request the handler must admit and checks it went on, unreleased, to the WebSocket handler. */
    private void admitted(EmbeddedChannel channel, FullHttpRequest request) {
        int before = passedOn.size();
        channel.writeInbound(request);
        channel.runPendingTasks();

        assertThat(channel.outboundMessages()).as("no refusal").isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.pipeline().get("handshake")).as("the handshake handler removes itself").isNull();
        assertThat(channel.pipeline().get("viewer-session")).isNotNull();
        assertThat(passedOn.subList(before, passedOn.size()))
                .as("the request goes on to the WebSocket handshake").containsExactly(request);
        assertThat(request.refCnt()).as("unreleased").isEqualTo(1);
    }

    private double handshakes(String outcome) {
        Counter counter = meters.find("nova.handshakes").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    // --- path and method ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"/", "/index.html", "/api/v1/streams/live", "/api/v1/streams/live/ws/",
        "/api/v1/streams/live/ws/extra", "/api/v1/streams/live/wsx", "/api/v1/streams/ws", "/api/v2/streams/live/ws"})
    void otherPathsAre404NotFound(String path) {
        refused(upgrade(path + "?token=" + token()), HttpResponseStatus.NOT_FOUND, "NOT_FOUND");
    }

    @Test
    void postIs405AndNamesGet() {
        Response response = refused(upgrade(HttpMethod.POST, withToken("live")),
                HttpResponseStatus.METHOD_NOT_ALLOWED, "PROTOCOL_ERROR");

        assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");
    }

    // --- protocol checks ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"bad%20id%21", "a%2Fb", "%C3%A9t%C3%A9", "",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
    void malformedStreamIdIs400(String encodedStreamId) {
        refused(upgrade(withToken(encodedStreamId)), HttpResponseStatus.BAD_REQUEST, "PROTOCOL_ERROR");
    }

    /** Found by ViewerHandshakeFuzzTest: once decoded, this path was ours; Netty's WebSocket handler, which
     *  matches the raw URI, then passed the admitted request over, and the connection hung holding its slot. */
    @Test
    void aPathThatIsOursOnlyOnceDecodedIs404() {
        ConnectionLimiter limiter = new ConnectionLimiter(10);
        EmbeddedChannel channel = viewers.get(0);
        HandshakeFixtures.viewerPipeline(channel, handler(limiter), MAX_FRAME_BYTES);

        channel.writeInbound(HandshakeFixtures.rawUpgrade("/api%2Fv1/streams/live/ws?token=" + token()));

        ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
        try {
            Response response = HandshakeFixtures.parseResponse(wire);
            assertThat(response.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
            assertThat(response.errorCode()).isEqualTo("NOT_FOUND");
        } finally {
            wire.release();
        }
        assertThat(channel.isOpen()).isFalse();
        assertThat(limiter.open()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aPercentEncodedStreamIdIsMalformedEvenIfItDecodesToAGoodOne() {
        refused(upgrade(withToken("l%69ve")), HttpResponseStatus.BAD_REQUEST, "PROTOCOL_ERROR");
    }

    @Test
    void aStreamIdOf128AllowedCharactersIsWellFormed() {
        String id = "A-z_0.9" + "x".repeat(121);
        assertThat(id).hasSize(128);

        refused(upgrade(withToken(id)), HttpResponseStatus.NOT_FOUND, "STREAM_NOT_FOUND");
    }

    @Test
    void anUnsupportedProtocolVersionIs400() {
        refused(upgrade(withToken("live") + "&protocol=2.0"), HttpResponseStatus.BAD_REQUEST, "PROTOCOL_ERROR");
    }

    @Test
    void protocolVersion1Point0IsAccepted() {
        admitted(handshakeOnly(), upgrade(withToken("live") + "&protocol=1.0"));

        assertThat(handshakes("accepted")).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"upgrade", "connection", "sec-websocket-key"})
    void aRequestThatIsNotAWebSocketUpgradeIs400(String missingHeader) {
        FullHttpRequest request = upgrade(withToken("live"));
        request.headers().remove(missingHeader);

        refused(request, HttpResponseStatus.BAD_REQUEST, "PROTOCOL_ERROR");
    }

    @Test
    void browserStyleHeaderListsAndCaseAreAnUpgrade() {
        FullHttpRequest request = upgrade(withToken("live"));
        request.headers().set(HttpHeaderNames.CONNECTION, "keep-alive, Upgrade"); // as Firefox sends it
        request.headers().set(HttpHeaderNames.UPGRADE, "WebSocket");

        admitted(handshakeOnly(), request);
    }

    /** Found by ViewerHandshakeFuzzTest: admitted here, then failed by Netty's handshaker with a bare text answer. */
    @Test
    void anUpgradeHeaderListingWebSocketAmongOthersIs400() {
        FullHttpRequest request = upgrade(withToken("live"));
        request.headers().set(HttpHeaderNames.UPGRADE, "websocket, h2c");

        Response response = refused(request, HttpResponseStatus.BAD_REQUEST, "PROTOCOL_ERROR");

        assertThat(response.json().get("error_message").asText()).isEqualTo("not a WebSocket upgrade request");
    }

    @Test
    void anUpgradeToAnotherProtocolIs400() {
        FullHttpRequest request = upgrade(withToken("live"));
        request.headers().set(HttpHeaderNames.UPGRADE, "h2c");

        refused(request, HttpResponseStatus.BAD_REQUEST, "PROTOCOL_ERROR");
    }

    @Test
    void webSocketVersion8Is400AndNames13() {
        FullHttpRequest request = upgrade(withToken("live"));
        request.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "8");

        Response response = refused(request, HttpResponseStatus.BAD_REQUEST, "PROTOCOL_ERROR");

        assertThat(response.headers().get(HttpHeaderNames.SEC_WEBSOCKET_VERSION)).isEqualTo("13");
    }

    // --- authentication and authorisation -----------------------------------------------------------------

    @Test
    void aMissingTokenIs401() {
        Response response = refused(upgrade(path("live")), HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");

        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
    }

    @Test
    void aGarbageTokenIs401() {
        Response response = refused(upgrade(path("live") + "?token=not.a.jwt"),
                HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");

        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
    }

    @Test
    void anExpiredTokenIs401() {
        String expired = new TokenMinter(SECRET, Clock.fixed(NOW.minus(Duration.ofHours(2)), ZoneOffset.UTC))
                .viewerToken(SUBJECT, Duration.ofHours(1));

        Response response = refused(upgrade(path("live") + "?token=" + expired),
                HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");

        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
        assertThat(logLines.list).singleElement().extracting(ILoggingEvent::getFormattedMessage)
                .isEqualTo("viewer handshake refused: 401 CONNECTION_REJECTED \"invalid or expired token\" peer=embedded");
    }

    @Test
    void anUnsignedAlgNoneTokenIs401() {
        String none = HandshakeFixtures.base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "."
                + HandshakeFixtures.base64Url("{\"sub\":\"" + SUBJECT + "\",\"exp\":"
                        + NOW.plus(Duration.ofHours(1)).getEpochSecond() + "}") + ".";

        Response response = refused(upgrade(path("live") + "?token=" + none),
                HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");

        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
    }

    @Test
    void aTokenSignedWithAnotherSecretIs401() {
        String forged = new TokenMinter("another-secret-that-is-32-bytes-long".getBytes(StandardCharsets.UTF_8), CLOCK)
                .viewerToken(SUBJECT, Duration.ofHours(1));

        Response response = refused(upgrade(path("live") + "?token=" + forged),
                HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");

        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
    }

    @Test
    void theTokenIsCheckedBeforeTheStreamSoProbersLearnNothing() {
        Response response = refused(upgrade(path("no-such-stream") + "?token=garbage"),
                HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");

        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
    }

    @Test
    void aBearerTokenInTheAuthorizationHeaderIsAccepted() {
        FullHttpRequest request = upgrade(path("live"));
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token());

        admitted(handshakeOnly(), request);

        assertThat(handshakes("accepted")).isEqualTo(1);
    }

    @Test
    void theBearerSchemeIsCaseInsensitive() {
        FullHttpRequest request = upgrade(path("live"));
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "bearer " + token());

        admitted(handshakeOnly(), request);
    }

    @Test
    void anAuthorizationHeaderOfAnotherSchemeIsNoToken() {
        FullHttpRequest request = upgrade(path("live"));
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Basic dXNlcjpwYXNz");

        Response response = refused(request, HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");

        assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
    }

    @Test
    void aTokenInTheQueryWinsOverTheHeader() {
        FullHttpRequest request = upgrade(path("live") + "?token=garbage");
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token());

        refused(request, HttpResponseStatus.UNAUTHORIZED, "CONNECTION_REJECTED");
    }

    @Test
    void aGrantThatExcludesTheStreamIs403() {
        String token = minter.viewerToken(SUBJECT, Duration.ofHours(1), List.of("another-stream"));

        refused(upgrade(path("live") + "?token=" + token), HttpResponseStatus.FORBIDDEN, "UNAUTHORIZED");
    }

    @Test
    void aGrantThatNamesTheStreamIsAdmitted() {
        String token = minter.viewerToken(SUBJECT, Duration.ofHours(1), List.of("another-stream", "live"));

        admitted(handshakeOnly(), upgrade(path("live") + "?token=" + token));
        assertThat(logLines.list).singleElement().extracting(ILoggingEvent::getFormattedMessage)
                .isEqualTo("viewer handshake accepted: stream=live viewer=" + SUBJECT + " peer=embedded");
        assertThat(logLines.list.get(0).getFormattedMessage()).doesNotContain(token);
    }

    // --- the stream --------------------------------------------------------------------------------------

    @Test
    void anUnknownStreamIs404StreamNotFound() {
        refused(upgrade(withToken("no-such-stream")), HttpResponseStatus.NOT_FOUND, "STREAM_NOT_FOUND");
    }

    /** What a browser's fetch() of the viewer URL sends: the same URL, no upgrade headers. */
    @ParameterizedTest
    @CsvSource({
            "no-such-stream, true, 404, STREAM_NOT_FOUND",
            "over, true, 410, STREAM_ENDED",
            "live, false, 401, CONNECTION_REJECTED",
            "live, true, 400, PROTOCOL_ERROR"})
    void aPlainGetOfTheViewerUrlGetsTheRefusalTheUpgradeWouldGet(String streamId, boolean validToken, int status,
            String errorCode) {
        FullHttpRequest request = upgrade(path(streamId) + "?token=" + (validToken ? token() : "not.a.jwt"));
        for (CharSequence header : List.of(HttpHeaderNames.UPGRADE, HttpHeaderNames.CONNECTION,
                HttpHeaderNames.SEC_WEBSOCKET_KEY, HttpHeaderNames.SEC_WEBSOCKET_VERSION)) {
            request.headers().remove(header);
        }

        refused(request, HttpResponseStatus.valueOf(status), errorCode);
    }

    // --- origins -------------------------------------------------------------------------------------------

    @Test
    void aPageOfAnotherOriginIs403BeforeItsTokenIsChecked() {
        origins = AllowedOrigins.of(List.of("https://player.example.com"));
        FullHttpRequest request = upgrade(path("live") + "?token=not.a.jwt");
        request.headers().set(HttpHeaderNames.ORIGIN, "https://evil.example");

        Response response = refused(request, HttpResponseStatus.FORBIDDEN, "UNAUTHORIZED");

        assertThat(response.json().get("error_message").asText()).isEqualTo("origin not allowed");
    }

    @Test
    void anAllowedOriginInAnyCaseAndARequestWithoutOriginAreAdmitted() {
        origins = AllowedOrigins.of(List.of("https://player.example.com", "http://127.0.0.1:8080"));
        FullHttpRequest fromPlayer = upgrade(withToken("live"));
        fromPlayer.headers().set(HttpHeaderNames.ORIGIN, "https://Player.Example.com");
        admitted(handshakeOnly(), fromPlayer);

        admitted(handshakeOnly(1, new ConnectionLimiter(10)), upgrade(withToken("live")));
    }

    @Test
    void anEndedStreamIs410StreamEnded() {
        refused(upgrade(withToken("over")), HttpResponseStatus.GONE, "STREAM_ENDED");
    }

    @Test
    void anEndedStreamIsForgottenAfterItsRetention() {
        home.advanceTimeBy(10, TimeUnit.MINUTES);
        home.runPendingTasks();

        refused(upgrade(withToken("over")), HttpResponseStatus.NOT_FOUND, "STREAM_NOT_FOUND");
    }

    @Test
    void aScheduledStreamCanBeJoined() {
        admitted(handshakeOnly(), upgrade(withToken("soon")));
    }

    // --- capacity ----------------------------------------------------------------------------------------

    @Test
    void atTheConnectionLimitIs503WithRetryAfter() {
        EmbeddedChannel channel = handshakeOnly(0, new ConnectionLimiter(0));
        FullHttpRequest request = upgrade(withToken("live"));

        channel.writeInbound(request);

        Response response = copyOf(channel.readOutbound());
        assertThat(response.status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(response.errorCode()).isEqualTo("SERVER_ERROR");
        assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("5");
        assertThat(request.refCnt()).isZero();
        assertThat(channel.isOpen()).isFalse();
        assertThat(handshakes("SERVER_ERROR")).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anAdmittedViewerHoldsASlotUntilItsChannelCloses() {
        ConnectionLimiter limiter = new ConnectionLimiter(1);
        EmbeddedChannel first = handshakeOnly(0, limiter);
        admitted(first, upgrade(withToken("live")));
        assertThat(limiter.open()).isEqualTo(1);

        EmbeddedChannel second = handshakeOnly(1, limiter);
        second.writeInbound(upgrade(withToken("live")));
        assertThat(copyOf(second.readOutbound()).status()).isEqualTo(HttpResponseStatus.SERVICE_UNAVAILABLE);
        assertThat(limiter.open()).as("a refusal takes no slot").isEqualTo(1);

        first.close().syncUninterruptibly();
        assertThat(limiter.open()).isZero();

        EmbeddedChannel third = handshakeOnly(2, limiter);
        admitted(third, upgrade(withToken("live")));
        assertThat(limiter.open()).isEqualTo(1);
        assertThat(first.finishAndReleaseAll()).isFalse();
        assertThat(second.finishAndReleaseAll()).isFalse();
        assertThat(third.finishAndReleaseAll()).isFalse();
        assertThat(limiter.open()).isZero();
    }

    @Test
    void refusalsTakeNoSlot() {
        ConnectionLimiter limiter = new ConnectionLimiter(1);
        EmbeddedChannel channel = handshakeOnly(0, limiter);

        channel.writeInbound(upgrade(path("live") + "?token=garbage"));
        copyOf(channel.readOutbound());

        assertThat(limiter.open()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- the whole pipeline, on the wire -----------------------------------------------------------------

    @Test
    void anAdmittedViewerIsUpgradedAndGreetedOverTheWire() {
        EmbeddedChannel channel = viewers.get(0);
        ConnectionLimiter limiter = new ConnectionLimiter(10);
        HandshakeFixtures.viewerPipeline(channel, handler(limiter), MAX_FRAME_BYTES);

        channel.writeInbound(HandshakeFixtures.rawUpgrade(withToken("live") + "&protocol=1.0"));
        channel.runPendingTasks();

        ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
        try {
            Response upgrade = HandshakeFixtures.parseResponse(wire);
            assertThat(upgrade.status()).isEqualTo(HttpResponseStatus.SWITCHING_PROTOCOLS);
            assertThat(upgrade.headers().get(HttpHeaderNames.UPGRADE)).isEqualToIgnoringCase("websocket");
            assertThat(upgrade.headers().get(HttpHeaderNames.SEC_WEBSOCKET_ACCEPT)).isEqualTo(HandshakeFixtures.ACCEPT);
            List<Received> frames = SessionFixtures.decodeWire(wire);
            assertThat(frames).hasSize(2);
            ConnectionEstablished hello = ((Message) frames.get(0)).as(ConnectionEstablished.class);
            assertThat(hello.streamId()).isEqualTo("live");
            assertThat(hello.viewerId()).isEqualTo(SUBJECT);
            assertThat(((Message) frames.get(1)).message()).isInstanceOf(StreamStarted.class);
            assertThat(((Message) frames.get(1)).seq()).hasValue(1);
        } finally {
            wire.release();
        }
        assertThat(channel.pipeline().get("http")).as("HTTP is gone after the upgrade").isNull();
        assertThat(fanout.audienceSize("live")).isEqualTo(1);
        assertThat(limiter.open()).isEqualTo(1);
        assertThat(handshakes("accepted")).isEqualTo(1);

        // The session now answers WebSocket frames.
        channel.writeInbound(HandshakeFixtures.maskedTextFrame(
                "{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"r1\"}}"));
        ByteBuf answer = HandshakeFixtures.outboundBytes(channel);
        try {
            List<Received> frames = SessionFixtures.decodeWire(answer);
            assertThat(frames).hasSize(1);
            assertThat(((Message) frames.get(0)).as(StreamInfo.class).requestId()).isEqualTo("r1");
        } finally {
            answer.release();
        }

        // Netty's protocol handler is configured not to add a close frame of its own: sessions send theirs.
        channel.close().syncUninterruptibly();
        channel.runPendingTasks();
        ByteBuf goodbye = HandshakeFixtures.outboundBytes(channel);
        try {
            assertThat(goodbye.isReadable()).isFalse();
        } finally {
            goodbye.release();
        }
        assertThat(limiter.open()).isZero();
        assertThat(fanout.audienceSize("live")).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anInvalidMessageAfterTheUpgradeGetsAnEncodedCloseFrame() {
        EmbeddedChannel channel = viewers.get(0);
        HandshakeFixtures.viewerPipeline(channel, handler(new ConnectionLimiter(10)), MAX_FRAME_BYTES);
        channel.writeInbound(HandshakeFixtures.rawUpgrade(withToken("live")));
        HandshakeFixtures.outboundBytes(channel).release();

        channel.writeInbound(HandshakeFixtures.maskedTextFrame("{\"event\":\"dance\",\"data\":{}}"));
        channel.runPendingTasks();

        ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
        try {
            assertThat(SessionFixtures.decodeWire(wire)).containsExactly(new Close(1003, "unknown event \"dance\""));
        } finally {
            wire.release();
        }
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aRefusalOverTheWireIsACompleteJsonResponseAndClosesAKeepAliveConnection() {
        EmbeddedChannel channel = viewers.get(0);
        HandshakeFixtures.viewerPipeline(channel, handler(new ConnectionLimiter(10)), MAX_FRAME_BYTES);

        channel.writeInbound(HandshakeFixtures.rawUpgrade(withToken("no-such-stream")));
        channel.runPendingTasks();

        ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
        try {
            Response response = HandshakeFixtures.parseResponse(wire);
            assertThat(response.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
            assertThat(response.errorCode()).isEqualTo("STREAM_NOT_FOUND");
            assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
            assertThat(wire.isReadable()).as("nothing after the response").isFalse();
        } finally {
            wire.release();
        }
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theHealthCheckIsAnsweredOnTheViewerPort() {
        EmbeddedChannel channel = viewers.get(0);
        HandshakeFixtures.viewerPipeline(channel, handler(new ConnectionLimiter(10)), MAX_FRAME_BYTES);

        channel.writeInbound(Unpooled.copiedBuffer(
                "GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n", StandardCharsets.US_ASCII));

        ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
        try {
            Response response = HandshakeFixtures.parseResponse(wire);
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.body()).isEqualTo("{\"status\":\"ok\"}");
        } finally {
            wire.release();
        }
        assertThat(channel.isOpen()).isTrue();
        assertThat(handshakes("accepted")).isZero();
        channel.close().syncUninterruptibly();
        HandshakeFixtures.outboundBytes(channel).release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- tokens whose key the server has not read yet -----------------------------------------------------

    /** The JWKS's reads and timers; a channel of its own, so that reads happen only when a test runs them. */
    private final EmbeddedChannel keysLoop = new EmbeddedChannel();
    private static final RSAKey OLD_KEY = JwksFixture.rsaKey("old");
    private static final RSAKey NEW_KEY = JwksFixture.rsaKey("new");
    private final AtomicReference<String> published = new AtomicReference<>(JwksFixture.jwks(OLD_KEY));

    private JwksKeys jwks() {
        keysLoop.freezeTime();
        return TestJwks.start(published::get, Duration.ofMinutes(5), keysLoop.eventLoop());
    }

    private String signedBy(RSAKey key) {
        return JwksFixture.sign(key, new JWTClaimsSet.Builder().subject(SUBJECT)
                .expirationTime(java.util.Date.from(NOW.plus(Duration.ofHours(1)))).build());
    }

    /** A channel whose token names the new key, with the key published and a read allowed, up to the wait. */
    private EmbeddedChannel waitingForTheNewKey(JwksKeys jwks, FullHttpRequest request) {
        published.set(JwksFixture.jwks(OLD_KEY, NEW_KEY));
        keysLoop.advanceTimeBy(30, TimeUnit.SECONDS);
        EmbeddedChannel channel = viewers.get(0);
        channel.pipeline().addLast("handshake", handler(new ConnectionLimiter(10), new TokenVerifier(null, jwks, null, null, CLOCK)));
        channel.pipeline().addLast(ViewerChannelInitializer.WEBSOCKET, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                passedOn.add(msg);
            }
        });
        channel.writeInbound(request);
        channel.runPendingTasks();
        assertThat(channel.outboundMessages()).as("no answer yet").isEmpty();
        assertThat(passedOn).isEmpty();
        assertThat(request.refCnt()).as("held").isEqualTo(1);
        assertThat(channel.config().isAutoRead()).as("no more reading while it waits").isFalse();
        return channel;
    }

    @Test
    void aTokenSignedWithAJustPublishedKeyWaitsForOneReadAndIsAdmitted() {
        JwksKeys jwks = jwks();
        try {
            FullHttpRequest request = upgrade(path("live") + "?token=" + signedBy(NEW_KEY));
            EmbeddedChannel channel = waitingForTheNewKey(jwks, request);

            keysLoop.runPendingTasks(); // the read
            channel.runPendingTasks();  // the verdict, back on the viewer's loop

            assertThat(channel.pipeline().get("viewer-session")).isNotNull();
            assertThat(passedOn).containsExactly(request);
            assertThat(channel.config().isAutoRead()).isTrue();
            assertThat(handshakes("accepted")).isEqualTo(1);
            assertThat(TestJwks.reads(jwks)).isEqualTo(2);
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void aTokenWithAKidTheReadDidNotFindIs401AfterTheWait() {
        JwksKeys jwks = jwks();
        try {
            FullHttpRequest request = upgrade(path("live") + "?token=" + signedBy(JwksFixture.rsaKey("made-up")));
            EmbeddedChannel channel = waitingForTheNewKey(jwks, request);

            keysLoop.runPendingTasks();
            channel.runPendingTasks();

            Response response = copyOf(channel.readOutbound());
            assertThat(response.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
            assertThat(response.body()).isEqualTo(UNAUTHORIZED_BODY);
            assertThat(request.refCnt()).isZero();
            assertThat(channel.isOpen()).isFalse();
            assertThat(handshakes("CONNECTION_REJECTED")).isEqualTo(1);
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void anUnknownKidRightAfterAReadIs401AtOnce() {
        JwksKeys jwks = jwks();
        try {
            viewers.get(0).pipeline().addLast("handshake",
                    handler(new ConnectionLimiter(10), new TokenVerifier(null, jwks, null, null, CLOCK)));
            FullHttpRequest request = upgrade(path("live") + "?token=" + signedBy(NEW_KEY));
            viewers.get(0).writeInbound(request);

            Response response = copyOf(viewers.get(0).readOutbound());
            assertThat(response.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
            assertThat(request.refCnt()).isZero();
            assertThat(TestJwks.reads(jwks)).isEqualTo(1);
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void aChannelClosedWhileItsTokenWaitsReleasesTheRequestAndIgnoresTheVerdict() {
        JwksKeys jwks = jwks();
        try {
            FullHttpRequest request = upgrade(path("live") + "?token=" + signedBy(NEW_KEY));
            EmbeddedChannel channel = waitingForTheNewKey(jwks, request);

            channel.close();
            assertThat(request.refCnt()).isZero();
            keysLoop.runPendingTasks();
            channel.runPendingTasks();

            assertThat(channel.outboundMessages()).isEmpty();
            assertThat(passedOn).isEmpty();
            assertThat(handshakes("accepted")).isZero();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void aRequestPipelinedBehindAWaitingOneClosesTheConnection() {
        JwksKeys jwks = jwks();
        try {
            FullHttpRequest request = upgrade(path("live") + "?token=" + signedBy(NEW_KEY));
            EmbeddedChannel channel = waitingForTheNewKey(jwks, request);
            FullHttpRequest second = upgrade(withToken("live"));

            channel.writeInbound(second);

            assertThat(second.refCnt()).isZero();
            assertThat(request.refCnt()).isZero();
            assertThat(channel.isOpen()).isFalse();
            keysLoop.runPendingTasks();
            channel.runPendingTasks();
            assertThat(passedOn).isEmpty();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    /** The 408 may still be on its way when the verdict comes (a client that does not read): drop the request. */
    @Test
    void theRequestTimeoutsEventDropsTheWaitingRequest() {
        JwksKeys jwks = jwks();
        try {
            FullHttpRequest request = upgrade(path("live") + "?token=" + signedBy(NEW_KEY));
            EmbeddedChannel channel = waitingForTheNewKey(jwks, request);

            channel.pipeline().fireUserEventTriggered(RequestTimeoutHandler.Expired.INSTANCE);
            assertThat(request.refCnt()).isZero();
            keysLoop.runPendingTasks();
            channel.runPendingTasks();

            assertThat(channel.outboundMessages()).as("the timeout handler answers, not this one").isEmpty();
            assertThat(passedOn).isEmpty();
            assertThat(channel.pipeline().get("viewer-session")).isNull();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void theRequestTimeoutEndsTheWaitWithA408AndNothingAfterIt() {
        JwksKeys jwks = jwks();
        try {
            published.set(JwksFixture.jwks(OLD_KEY, NEW_KEY));
            keysLoop.advanceTimeBy(30, TimeUnit.SECONDS);
            EmbeddedChannel channel = viewers.get(0);
            HandshakeFixtures.viewerPipeline(channel,
                    handler(new ConnectionLimiter(10), new TokenVerifier(null, jwks, null, null, CLOCK)), MAX_FRAME_BYTES);
            channel.writeInbound(HandshakeFixtures.rawUpgrade(path("live") + "?token=" + signedBy(NEW_KEY)));
            channel.runPendingTasks();
            assertThat(channel.outboundMessages()).isEmpty();

            channel.advanceTimeBy(10, TimeUnit.SECONDS); // the pipeline's request timeout
            channel.runScheduledPendingTasks();
            keysLoop.runPendingTasks();
            channel.runPendingTasks();

            ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
            try {
                Response response = HandshakeFixtures.parseResponse(wire);
                assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_TIMEOUT);
                assertThat(wire.isReadable()).as("no upgrade after the 408").isFalse();
            } finally {
                wire.release();
            }
            assertThat(channel.isOpen()).isFalse();
            assertThat(handshakes("accepted")).isZero();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    // --- what gets passed on -----------------------------------------------------------------------------

    @Test
    void anAdmittedRequestIsPassedOnBehindTheInstalledSession() {
        EmbeddedChannel channel = handshakeOnly();
        List<String> names = new ArrayList<>();

        admitted(channel, upgrade(withToken("live")));

        channel.pipeline().names().forEach(names::add);
        assertThat(names).containsSubsequence("websocket", "frame-aggregator", "viewer-session");
        assertThat(names.get(0)).as("pre-encoded frames skip the WebSocket and HTTP handlers").isEqualTo("viewer-writer");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void onlyFullRequestsAreItsBusiness() {
        EmbeddedChannel channel = handshakeOnly();

        channel.writeInbound("not an HTTP request");

        assertThat(passedOn).containsExactly("not an HTTP request");
        assertThat(channel.pipeline().get("handshake")).isNotNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
