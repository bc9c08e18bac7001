package io.nova.fanout.server.session;

import io.netty.channel.ChannelInboundHandlerAdapter;
import io.nova.fanout.server.connect.ViewerChannelInitializer;

import static io.nova.fanout.server.session.SessionFixtures.NOW;
import static io.nova.fanout.server.session.SessionFixtures.await;
import static io.nova.fanout.server.session.SessionFixtures.drainMessages;
import static io.nova.fanout.server.session.SessionFixtures.drainOutbound;
import static io.nova.fanout.server.session.SessionFixtures.invalidReason;
import static io.nova.fanout.server.session.SessionFixtures.text;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.ContinuationWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.ClientInfo;
import io.nova.fanout.protocol.ConnectionEstablished;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.GetStreamInfo;
import io.nova.fanout.protocol.IssueSeverity;
import io.nova.fanout.protocol.IssueType;
import io.nova.fanout.protocol.Ping;
import io.nova.fanout.protocol.Pong;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.protocol.QualityChanged;
import io.nova.fanout.protocol.ReportIssue;
import io.nova.fanout.protocol.StreamEnded;
import io.nova.fanout.protocol.StreamInfo;
import io.nova.fanout.protocol.StreamStarted;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.protocol.ViewerCountChanged;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.InProcessEventBus;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.SessionFixtures.CapturedIssueLog;
import io.nova.fanout.server.session.SessionFixtures.Close;
import io.nova.fanout.server.session.SessionFixtures.Message;
import io.nova.fanout.server.session.SessionFixtures.MutableClock;
import io.nova.fanout.server.session.SessionFixtures.Received;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.net.SocketException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

class ViewerSessionHandlerTest {
    private static final String STREAM_ID = "s1";
    private static final String VIEWER_ID = "viewer-1";
    private static final int MAX_FRAME_BYTES = 64 * 1024;
    private static final Duration PING_INTERVAL = Duration.ofSeconds(30);
    private static final Duration PING_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration END_GRACE = Duration.ofSeconds(5);
    private static final Duration TOKEN_WARNING = Duration.ofSeconds(30);
    /** Far beyond anything these tests wait for; token expiry has tests of its own. */
    private static final Instant TOKEN_EXPIRES_AT = NOW.plus(Duration.ofDays(1));
    private static final ViewerSessions.Settings DEFAULTS =
            new ViewerSessions.Settings(PING_INTERVAL, PING_TIMEOUT, IDLE_TIMEOUT, END_GRACE, 4, MAX_FRAME_BYTES, 10, 20,
                    TOKEN_WARNING);
    /** Pings so rare they never happen, to look at the idle timeout alone. */
    private static final ViewerSessions.Settings IDLE_ONLY = new ViewerSessions.Settings(
            Duration.ofHours(1), PING_TIMEOUT, IDLE_TIMEOUT, END_GRACE, 4, MAX_FRAME_BYTES, 10, 20, TOKEN_WARNING);
    private static final int TEST_BIT = 1;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NovaMetrics metrics = SessionFixtures.metrics(meters);
    private final FramePreEncoder encoder = SessionFixtures.encoder();
    private final MutableClock clock = new MutableClock(NOW);
    private final CapturedIssueLog issues = new CapturedIssueLog(Level.INFO);

    private EmbeddedChannel channel;
    private Fanout fanout;
    private StreamRegistry registry;
    private ViewerSessions sessions;

    /** The viewer's channel, with time frozen; its event loop also homes the streams, so all runs on one thread. */
    private void start(ViewerSessions.Settings settings) {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        List<EventLoop> loops = List.of(channel.eventLoop());
        fanout = new Fanout(loops, System::nanoTime, latency -> { });
        registry = new StreamRegistry(channel.eventLoop(), encoder, new InProcessEventBus(fanout), clock,
                MAX_FRAME_BYTES, Duration.ofDays(1), 0, Duration.ofMinutes(10));
        sessions = new ViewerSessions(loops, settings, SessionFixtures.CODEC, encoder, fanout, metrics,
                issues.issueLog(), clock, new TokenVerifier(SessionFixtures.TOKEN_SECRET, clock));
    }

    @AfterEach
    void stopSharedTimers() {
        if (channel != null) {
            channel.finishAndReleaseAll(); // a no-op after a passing test; releases what a failing one left
        }
        if (sessions != null) {
            sessions.stop();
            registry.close();
        }
    }

    private Stream scheduledStream() {
        StreamOutcome outcome = await(channel, registry.register(STREAM_ID, SessionFixtures.metadata()));
        assertThat(outcome).isInstanceOf(StreamOutcome.Applied.class);
        return registry.find(STREAM_ID).orElseThrow();
    }

    private Stream liveStream() {
        Stream stream = scheduledStream();
        apply(new StreamChange.Start());
        return stream;
    }

    private void apply(StreamChange... changes) {
        StreamOutcome outcome = await(channel, registry.apply(STREAM_ID, List.of(changes)));
        assertThat(outcome).isInstanceOf(StreamOutcome.Applied.class);
    }

    /** What the handshake handler does for an admitted viewer, around a stand-in for Netty's protocol handler. */
    private void installSession(ViewerAdmission admission) {
        channel.pipeline().addLast(ViewerChannelInitializer.WEBSOCKET, new ChannelInboundHandlerAdapter());
        sessions.install(channel.pipeline(), ViewerChannelInitializer.WEBSOCKET, admission);
    }

    /** What the handshake handler does for an admitted viewer, then what Netty does once the upgrade is done. */
    private ViewerSessionHandler connect(Stream stream) {
        installSession(new ViewerAdmission(stream, VIEWER_ID, TOKEN_EXPIRES_AT));
        channel.pipeline().fireUserEventTriggered(
                new HandshakeComplete("/api/v1/streams/" + STREAM_ID + "/ws", new DefaultHttpHeaders(), null));
        return (ViewerSessionHandler) channel.pipeline().get("viewer-session");
    }

    /** Connects to a live stream and reads away the two greeting messages. */
    private ViewerSessionHandler connectToLiveStream() {
        ViewerSessionHandler handler = connect(liveStream());
        assertThat(drainMessages(channel)).hasSize(2);
        return handler;
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runPendingTasks();
    }

    /** Flips a user-defined writability bit; Netty announces the change as a task, so run it. */
    private void setWritable(boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(TEST_BIT, writable);
        channel.runPendingTasks();
    }

    private void send(Object frame) {
        channel.writeInbound(frame);
        channel.runPendingTasks();
    }

    private double closes(int code) {
        var counter = meters.find("nova.client.closes").tag("code", Integer.toString(code)).counter();
        return counter == null ? 0 : counter.count();
    }

    // --- joining ---------------------------------------------------------------------------------------

    @Test
    void greetsWithConnectionEstablishedThenStreamStartedAtTheStreamsSeqWhenLive() {
        start(DEFAULTS);
        Stream stream = liveStream();

        connect(stream);

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(2);
        ConnectionEstablished hello = received.get(0).as(ConnectionEstablished.class);
        assertThat(received.get(0).seq()).isEmpty();
        assertThat(hello.streamId()).isEqualTo(STREAM_ID);
        assertThat(hello.viewerId()).isEqualTo(VIEWER_ID);
        assertThat(hello.sessionId()).matches("session_[0-9a-f]{32}");
        assertThat(hello.protocolVersion()).isEqualTo("1.0");
        assertThat(hello.timestamp()).isEqualTo(NOW);
        StreamStarted started = received.get(1).as(StreamStarted.class);
        assertThat(received.get(1).seq()).hasValue(stream.state().seq()).hasValue(1);
        assertThat(started.streamId()).isEqualTo(STREAM_ID);
        assertThat(started.broadcasterId()).isEqualTo("user-123");
        assertThat(started.title()).isEqualTo("Live Gaming Session");
        assertThat(started.quality()).isEqualTo("1080p");
        assertThat(started.fps()).isEqualTo(60);
        assertThat(started.bitrateKbps()).isEqualTo(5000);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void lateJoinerGetsStreamStartedWithTheCurrentSeq() {
        start(DEFAULTS);
        Stream stream = liveStream();
        apply(new StreamChange.ReportBitrate(4000));
        apply(new StreamChange.ReportBitrate(4500));

        connect(stream);

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(2);
        assertThat(received.get(1).message()).isInstanceOf(StreamStarted.class);
        assertThat(received.get(1).seq()).hasValue(3);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void greetsWithConnectionEstablishedOnlyWhileScheduledAndDeliversTheStartLater() {
        start(DEFAULTS);
        Stream stream = scheduledStream();

        connect(stream);

        List<Message> greeting = drainMessages(channel);
        assertThat(greeting).hasSize(1);
        assertThat(greeting.get(0).message()).isInstanceOf(ConnectionEstablished.class);

        apply(new StreamChange.Start());

        List<Message> later = drainMessages(channel);
        assertThat(later).hasSize(1);
        assertThat(later.get(0).message()).isInstanceOf(StreamStarted.class);
        assertThat(later.get(0).seq()).hasValue(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void joiningAnEndedStreamGreetsThenClosesNormally() {
        start(DEFAULTS);
        Stream stream = liveStream();
        apply(new StreamChange.End(EndReason.BROADCASTER_ENDED));

        connect(stream);
        channel.runPendingTasks();

        List<Received> received = drainOutbound(channel);
        assertThat(received).hasSize(2);
        assertThat(((Message) received.get(0)).message()).isInstanceOf(ConnectionEstablished.class);
        assertThat(received.get(1)).isEqualTo(new Close(1000, "stream ended"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(fanout.audienceSize(STREAM_ID)).isZero();
        assertThat(stream.viewerCounts().current()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void joinsTheFanoutTheHeartbeatAndTheViewerCount() {
        start(DEFAULTS);
        Stream stream = liveStream();

        connect(stream);

        assertThat(fanout.audienceSize(STREAM_ID)).isEqualTo(1);
        assertThat(sessions.heartbeat(channel.eventLoop()).size()).isEqualTo(1);
        assertThat(stream.viewerCounts().current()).isEqualTo(1);
        assertThat(stream.viewerCounts().peak()).isEqualTo(1);
        drainOutbound(channel);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void leavingTheChannelLeavesTheFanoutTheHeartbeatAndTheViewerCount() {
        start(DEFAULTS);
        Stream stream = liveStream();
        connect(stream);
        drainOutbound(channel);

        channel.close().syncUninterruptibly();
        channel.runPendingTasks();

        assertThat(fanout.audienceSize(STREAM_ID)).isZero();
        assertThat(sessions.heartbeat(channel.eventLoop()).size()).isZero();
        assertThat(stream.viewerCounts().current()).isZero();
        assertThat(stream.viewerCounts().peak()).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aChannelThatClosesBeforeTheUpgradeCompletesLeavesNothingBehind() {
        start(DEFAULTS);
        Stream stream = liveStream();
        installSession(new ViewerAdmission(stream, VIEWER_ID, TOKEN_EXPIRES_AT));

        channel.close().syncUninterruptibly();
        channel.runPendingTasks();

        assertThat(stream.viewerCounts().current()).isZero();
        assertThat(fanout.audienceSize(STREAM_ID)).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- stream events -----------------------------------------------------------------------------------

    @Test
    void eventsPublishedAfterTheJoinArriveInSeqOrder() {
        start(DEFAULTS);
        connectToLiveStream();

        apply(new StreamChange.ReportBitrate(4000),
                new StreamChange.ChangeQuality("720p", 3000, null, QualityChangeReason.ADAPTIVE_BITRATE));

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(2);
        assertThat(received.get(0).message()).isInstanceOf(BitrateUpdate.class);
        assertThat(received.get(0).seq()).hasValue(2);
        assertThat(received.get(1).as(QualityChanged.class).newQuality()).isEqualTo("720p");
        assertThat(received.get(1).seq()).hasValue(3);
        assertThat(meters.get("nova.messages.sent").counter().count()).isEqualTo(2);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void deliverSkipsEventsAtOrBelowTheLastSeqSeen() {
        start(DEFAULTS);
        ViewerSessionHandler handler = connectToLiveStream(); // joined at seq 1
        ByteBuf atJoin = event(1);
        ByteBuf second = event(2);
        ByteBuf duplicate = event(2);
        ByteBuf older = event(1);
        ByteBuf third = event(3);

        handler.deliver(atJoin, 1, false);
        handler.deliver(second, 2, false);
        handler.deliver(duplicate, 2, false);
        handler.deliver(older, 1, false);
        handler.deliver(third, 3, false);
        handler.flush();

        assertThat(atJoin.refCnt()).isZero();
        assertThat(duplicate.refCnt()).isZero();
        assertThat(older.refCnt()).isZero();
        List<Message> received = drainMessages(channel);
        assertThat(received).extracting(m -> m.seq().getAsLong()).containsExactly(2L, 3L);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aSlowViewerGetsTheDropNoticeThenTheNewestEvents() {
        start(DEFAULTS); // buffer of 4
        connectToLiveStream();
        setWritable(false);

        for (int kbps = 4001; kbps <= 4006; kbps++) {
            apply(new StreamChange.ReportBitrate(kbps)); // seq 2..7
        }
        assertThat(channel.outboundMessages()).isEmpty();
        setWritable(true);

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(5);
        ErrorEvent notice = received.get(0).as(ErrorEvent.class);
        assertThat(notice.errorCode()).isEqualTo(ErrorCode.MESSAGES_DROPPED);
        assertThat(notice.droppedCount()).isEqualTo(2L);
        assertThat(received.subList(1, 5)).extracting(m -> m.seq().getAsLong()).containsExactly(4L, 5L, 6L, 7L);
        assertThat(meters.get("nova.messages.dropped").counter().count()).isEqualTo(2);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- end of stream -----------------------------------------------------------------------------------

    @Test
    void endOfStreamSendsStreamEndedThenClosesNormally() {
        start(DEFAULTS);
        Stream stream = liveStream();
        connect(stream);
        drainOutbound(channel);

        apply(new StreamChange.End(EndReason.BROADCASTER_ENDED));

        List<Received> received = drainOutbound(channel);
        assertThat(received).hasSize(2);
        Message ended = (Message) received.get(0);
        assertThat(ended.as(StreamEnded.class).reason()).isEqualTo(EndReason.BROADCASTER_ENDED);
        assertThat(ended.as(StreamEnded.class).finalViewerCount()).isEqualTo(1);
        assertThat(ended.seq()).hasValue(2);
        assertThat(received.get(1)).isEqualTo(new Close(1000, "stream ended"));
        assertThat(closes(1000)).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(fanout.audienceSize(STREAM_ID)).isZero();
        assertThat(stream.viewerCounts().current()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void endOfStreamWaitsForTheBacklogToDrainBeforeClosing() {
        start(DEFAULTS);
        connectToLiveStream();
        setWritable(false);
        apply(new StreamChange.ReportBitrate(4000));
        apply(new StreamChange.End(EndReason.CONNECTION_LOST));
        advance(END_GRACE.minusMillis(500));
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        setWritable(true);

        List<Received> received = drainOutbound(channel);
        assertThat(received).hasSize(3);
        assertThat(((Message) received.get(0)).message()).isInstanceOf(BitrateUpdate.class);
        assertThat(((Message) received.get(1)).message()).isInstanceOf(StreamEnded.class);
        assertThat(received.get(2)).isEqualTo(new Close(1000, "stream ended"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void endOfStreamClosesAtTheGraceDeadlineWhenTheBacklogNeverDrains() {
        start(DEFAULTS);
        connectToLiveStream();
        setWritable(false);
        apply(new StreamChange.End(EndReason.BROADCASTER_ENDED));

        advance(END_GRACE.minusMillis(500));
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        advance(Duration.ofMillis(500));

        assertThat(drainOutbound(channel)).containsExactly(new Close(1000, "stream ended"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(fanout.audienceSize(STREAM_ID)).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- inbound rate limit ------------------------------------------------------------------------------

    @Test
    void messagesOverTheRateAreIgnoredWithOneRateLimitedNotice() {
        start(DEFAULTS); // 10 a second, bursts of 20
        connectToLiveStream();
        drainMessages(channel);

        for (int i = 0; i < 25; i++) {
            send(text("{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"r" + i + "\"}}"));
        }

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(21);
        assertThat(received.subList(0, 20)).allSatisfy(m -> assertThat(m.message()).isInstanceOf(StreamInfo.class));
        ErrorEvent notice = received.get(20).as(ErrorEvent.class);
        assertThat(notice.errorCode()).isEqualTo(ErrorCode.RATE_LIMITED);
        assertThat(notice.recoverable()).isTrue();
        assertThat(received.get(20).seq()).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        advance(Duration.ofMillis(100)); // one message's worth of allowance back
        send(text("{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"later\"}}"));
        assertThat(drainMessages(channel)).singleElement()
                .satisfies(m -> assertThat(m.as(StreamInfo.class).requestId()).isEqualTo("later"));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aViewerThatKeepsFloodingIsClosed1008() {
        start(DEFAULTS);
        connectToLiveStream();
        drainOutbound(channel);

        for (int i = 0; i < 41 && channel.isOpen(); i++) {
            send(text("{\"event\":\"pong\",\"data\":{}}"));
        }

        List<Received> received = drainOutbound(channel);
        assertThat(received.get(received.size() - 1)).isEqualTo(new Close(1008, "rate limit exceeded"));
        assertThat(closes(1008)).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- server shutdown ---------------------------------------------------------------------------------

    @Test
    void shutdownSendsServerShutdownThenCloses1001() {
        start(DEFAULTS);
        connectToLiveStream();
        drainOutbound(channel);

        sessions.shutDown(Duration.ofSeconds(10));
        channel.runPendingTasks();

        List<Received> received = drainOutbound(channel);
        assertThat(received).hasSize(2);
        ErrorEvent notice = ((Message) received.get(0)).as(ErrorEvent.class);
        assertThat(notice.errorCode()).isEqualTo(ErrorCode.SERVER_SHUTDOWN);
        assertThat(notice.recoverable()).isTrue();
        assertThat(notice.suggestedAction()).isEqualTo("Reconnect");
        assertThat(((Message) received.get(0)).seq()).as("a connection-level notice").isEmpty();
        assertThat(received.get(1)).isEqualTo(new Close(1001, "server shutting down"));
        assertThat(closes(1001)).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shutdownLetsTheBacklogOutFirstAndStopsNewEvents() {
        start(DEFAULTS);
        connectToLiveStream();
        setWritable(false);
        apply(new StreamChange.ReportBitrate(4000));

        sessions.shutDown(Duration.ofSeconds(10));
        channel.runPendingTasks();
        apply(new StreamChange.ReportBitrate(3000)); // after the shutdown began: not delivered
        assertThat(channel.outboundMessages()).isEmpty();

        setWritable(true);

        List<Received> received = drainOutbound(channel);
        assertThat(received).hasSize(3);
        assertThat(((Message) received.get(0)).as(BitrateUpdate.class).currentBitrateKbps()).isEqualTo(4000);
        assertThat(((Message) received.get(1)).as(ErrorEvent.class).errorCode()).isEqualTo(ErrorCode.SERVER_SHUTDOWN);
        assertThat(received.get(2)).isEqualTo(new Close(1001, "server shutting down"));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shutdownClosesAtTheGraceDeadlineWhenTheBacklogNeverDrains() {
        start(DEFAULTS);
        connectToLiveStream();
        setWritable(false);
        apply(new StreamChange.ReportBitrate(4000));

        sessions.shutDown(Duration.ofSeconds(3));
        channel.runPendingTasks();
        advance(Duration.ofMillis(2_900));
        assertThat(channel.isOpen()).isTrue();
        advance(Duration.ofMillis(200));

        assertThat(drainOutbound(channel)).containsExactly(new Close(1001, "server shutting down"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aStreamThatEndedKeepsItsCloseButNoLaterThanTheShutdownDeadline() {
        start(DEFAULTS);
        connectToLiveStream();
        setWritable(false);
        apply(new StreamChange.End(EndReason.BROADCASTER_ENDED));

        sessions.shutDown(Duration.ofSeconds(1));
        channel.runPendingTasks();
        advance(Duration.ofMillis(1_100));

        assertThat(drainOutbound(channel)).containsExactly(new Close(1000, "stream ended"));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void eventsAfterTheEndOfStreamAreDropped() {
        start(DEFAULTS);
        ViewerSessionHandler handler = connectToLiveStream();
        setWritable(false);
        handler.deliver(event(2), 2, true);
        ByteBuf late = event(3);

        handler.deliver(late, 3, false);

        assertThat(late.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pingsStopOnceTheStreamHasEnded() {
        start(DEFAULTS);
        ViewerSessionHandler handler = connectToLiveStream();
        setWritable(false);
        advance(Duration.ofSeconds(28));
        handler.deliver(event(2), 2, true);

        advance(Duration.ofSeconds(3)); // past the ping interval, within the end grace period

        assertThat(channel.outboundMessages()).as("no ping for a viewer that is being closed").isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- heartbeat ---------------------------------------------------------------------------------------

    @Test
    void pingsEveryIntervalWithIncreasingSequence() {
        start(DEFAULTS);
        connectToLiveStream();

        advance(PING_INTERVAL.minusMillis(500));
        assertThat(channel.outboundMessages()).isEmpty();

        advance(Duration.ofMillis(500));
        List<Message> first = drainMessages(channel);
        assertThat(first).hasSize(1);
        Ping ping1 = first.get(0).as(Ping.class);
        assertThat(first.get(0).seq()).isEmpty();
        assertThat(ping1.timestamp()).isEqualTo(NOW);
        send(text(new Pong(ping1.sequence(), null)));

        clock.advance(PING_INTERVAL);
        advance(PING_INTERVAL);
        List<Message> second = drainMessages(channel);
        assertThat(second).hasSize(1);
        Ping ping2 = second.get(0).as(Ping.class);
        assertThat(ping2.sequence()).isEqualTo(ping1.sequence() + 1);
        assertThat(ping2.timestamp()).isEqualTo(NOW.plus(PING_INTERVAL));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void echoedPongRecordsTheRoundTripTimeAndKeepsTheConnection() {
        start(DEFAULTS);
        connectToLiveStream();
        advance(PING_INTERVAL);
        Ping ping = drainMessages(channel).get(0).as(Ping.class);

        advance(Duration.ofSeconds(2));
        send(text(new Pong(ping.sequence(), "2025-10-21T10:31:17.123Z")));
        advance(PING_TIMEOUT);

        Timer rtt = meters.get("nova.viewer.rtt").timer();
        assertThat(rtt.count()).isEqualTo(1);
        assertThat(rtt.totalTime(TimeUnit.MILLISECONDS)).isEqualTo(2000.0);
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unansweredPingClosesWith4000PingTimeout() {
        start(DEFAULTS);
        connectToLiveStream();
        advance(PING_INTERVAL);
        assertThat(drainMessages(channel)).hasSize(1);

        advance(PING_TIMEOUT.minusMillis(500));
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        advance(Duration.ofMillis(500));

        assertThat(drainOutbound(channel)).containsExactly(new Close(4000, "ping timeout"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(4000)).isEqualTo(1);
        assertThat(fanout.audienceSize(STREAM_ID)).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pongWithoutSequenceAfterThePreviousPingAnswersIt() {
        start(DEFAULTS);
        connectToLiveStream();
        advance(Duration.ofSeconds(5));
        // Seed 003's example client: a pong on its own timer, no sequence.
        send(text(new Pong(null, "2025-10-21T10:30:50.123Z")));
        advance(PING_INTERVAL.minusSeconds(5));
        assertThat(drainMessages(channel)).hasSize(1);

        advance(PING_TIMEOUT);

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(meters.get("nova.viewer.rtt").timer().count()).as("not measured").isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pongWithAnUnknownSequenceDoesNotAnswerThePing() {
        start(DEFAULTS);
        connectToLiveStream();
        advance(PING_INTERVAL);
        Ping ping = drainMessages(channel).get(0).as(Ping.class);

        send(text(new Pong(ping.sequence() + 41, null)));
        advance(PING_TIMEOUT);

        assertThat(drainOutbound(channel)).containsExactly(new Close(4000, "ping timeout"));
        assertThat(meters.get("nova.viewer.rtt").timer().count()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void pongWithAnUnknownSequenceStillCountsAsActivity() {
        start(IDLE_ONLY);
        connectToLiveStream();
        advance(Duration.ofSeconds(50));

        send(text(new Pong(99L, null)));
        advance(Duration.ofSeconds(50)); // 100 s in: idle only 50 s

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();

        advance(Duration.ofSeconds(10));
        assertThat(drainOutbound(channel)).containsExactly(new Close(4000, "idle timeout"));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void noInboundForTheIdleTimeoutClosesWith4000IdleTimeout() {
        start(IDLE_ONLY);
        connectToLiveStream();

        advance(IDLE_TIMEOUT.minusMillis(500));
        assertThat(channel.outboundMessages()).isEmpty();

        advance(Duration.ofMillis(500));

        assertThat(drainOutbound(channel)).containsExactly(new Close(4000, "idle timeout"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(4000)).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anyClientMessageCountsAsActivity() {
        start(IDLE_ONLY);
        connectToLiveStream();
        advance(Duration.ofSeconds(40));

        send(text(new GetStreamInfo("req-1")));
        drainOutbound(channel);
        advance(Duration.ofSeconds(40));

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aWebSocketPongFrameCountsAsActivity() {
        start(IDLE_ONLY);
        connectToLiveStream();
        advance(Duration.ofSeconds(40));
        PongWebSocketFrame pong = new PongWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2}));

        send(pong);
        advance(Duration.ofSeconds(40));

        assertThat(pong.refCnt()).isZero();
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        advance(Duration.ofSeconds(20));
        assertThat(drainOutbound(channel)).containsExactly(new Close(4000, "idle timeout"));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closesEvenWhenThePeerNeverReadsTheCloseFrame() {
        start(DEFAULTS);
        connectToLiveStream();
        // A peer that stopped reading: flushes never complete, so the close frame's write never does either.
        // In front of everything, the session's writer included, as the socket is.
        channel.pipeline().addFirst(new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
            }
        });
        advance(PING_INTERVAL);
        advance(PING_TIMEOUT); // the close frame 4000 is sent (and stuck)
        assertThat(closes(4000)).isEqualTo(1);

        advance(PING_TIMEOUT);

        assertThat(closes(4000)).as("the close frame is sent once").isEqualTo(1);
        assertThat(channel.isOpen())
                .as("a viewer that does not read its close frame must still be disconnected")
                .isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    // --- client messages ---------------------------------------------------------------------------------

    @Test
    void getStreamInfoAnswersWithTheRequestIdAndTheStreamsState() {
        start(DEFAULTS);
        connectToLiveStream();
        apply(new StreamChange.ReportBitrate(4200));
        drainMessages(channel);
        clock.advance(Duration.ofSeconds(90));

        send(text("{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"req-12345\"}}"));

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).seq()).isEmpty();
        StreamInfo info = received.get(0).as(StreamInfo.class);
        assertThat(info.requestId()).isEqualTo("req-12345");
        assertThat(info.streamId()).isEqualTo(STREAM_ID);
        assertThat(info.status()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(info.viewerCount()).isEqualTo(1);
        assertThat(info.peakViewers()).isEqualTo(1);
        assertThat(info.quality()).isEqualTo("1080p");
        assertThat(info.bitrateKbps()).isEqualTo(4200);
        assertThat(info.fps()).isEqualTo(60);
        assertThat(info.durationSeconds()).isEqualTo(90);
        assertThat(info.broadcasterName()).isEqualTo("Streamer123");
        assertThat(info.timestamp()).isEqualTo(NOW.plusSeconds(90));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void reportIssueIsCountedAndLogged() {
        start(DEFAULTS);
        connect(liveStream());
        String sessionId = drainMessages(channel).get(0).as(ConnectionEstablished.class).sessionId();

        send(text(new ReportIssue(IssueType.BUFFERING, IssueSeverity.HIGH, "Stream is constantly buffering",
                new ClientInfo("video.js", "Chrome 120", "macOS 14.1", "wifi", 8000))));

        assertThat(meters.get("nova.viewer.issues").tag("issue_type", "buffering").tag("severity", "high")
                .counter().count()).isEqualTo(1);
        assertThat(meters.get("nova.viewer.issues").tag("issue_type", "lag").tag("severity", "high")
                .counter().count()).isZero();
        assertThat(issues.lines()).singleElement().satisfies(line -> assertThat(line)
                .startsWith("viewer_issue ")
                .contains("stream_id=\"s1\"", "viewer_id=\"viewer-1\"", "session_id=\"" + sessionId + "\"",
                        "issue_type=\"buffering\"", "severity=\"high\"",
                        "description=\"Stream is constantly buffering\"", "player=\"video.js\""));
        assertThat(channel.outboundMessages()).as("no answer").isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{not json",
        "[]",
        "{\"event\":\"dance\",\"data\":{}}",
        "{\"event\":\"get_stream_info\",\"data\":{}}",
        "{\"event\":\"pong\",\"data\":{\"sequence\":-1}}",
        "{\"event\":\"pong\",\"data\":{},\"extra\":1}",
        ""
    })
    void anInvalidMessageClosesWith1003AndTheDecodersReason(String json) {
        start(DEFAULTS);
        connectToLiveStream();

        send(text(json));

        assertThat(drainOutbound(channel)).containsExactly(new Close(1003, invalidReason(json)));
        assertThat(channel.isOpen()).isFalse();
        assertThat(closes(1003)).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anUnknownEventIsNamedInTheCloseReason() {
        start(DEFAULTS);
        connectToLiveStream();

        send(text("{\"event\":\"dance\",\"data\":{}}"));

        assertThat(drainOutbound(channel)).containsExactly(new Close(1003, "unknown event \"dance\""));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aBinaryFrameClosesWith1003() {
        start(DEFAULTS);
        connectToLiveStream();
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(Unpooled.wrappedBuffer(new byte[] {1, 2, 3}));

        send(binary);

        assertThat(binary.refCnt()).isZero();
        assertThat(drainOutbound(channel)).containsExactly(new Close(1003, "binary frames are not supported"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aTooLongFrameClosesWith1009() {
        start(DEFAULTS);
        connectToLiveStream();

        channel.pipeline().fireExceptionCaught(new TooLongFrameException("frame too long"));
        channel.runPendingTasks();

        assertThat(drainOutbound(channel))
                .containsExactly(new Close(1009, "message larger than " + MAX_FRAME_BYTES + " bytes"));
        assertThat(closes(1009)).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void fragmentsAddingUpToMoreThanTheFrameLimitCloseWith1009() {
        start(DEFAULTS);
        connectToLiveStream();
        int half = MAX_FRAME_BYTES / 2 + 1;

        channel.writeInbound(new TextWebSocketFrame(false, 0, Unpooled.wrappedBuffer(new byte[half])));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, Unpooled.wrappedBuffer(new byte[half])));
        channel.runPendingTasks();

        assertThat(drainOutbound(channel))
                .containsExactly(new Close(1009, "message larger than " + MAX_FRAME_BYTES + " bytes"));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void fragmentsWithinTheLimitAreReassembled() {
        start(DEFAULTS);
        connectToLiveStream();

        channel.writeInbound(new TextWebSocketFrame(false, 0, "{\"event\":\"get_stream_info\","));
        channel.writeInbound(new ContinuationWebSocketFrame(true, 0, "\"data\":{\"request_id\":\"r-9\"}}"));

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(1);
        assertThat(received.get(0).as(StreamInfo.class).requestId()).isEqualTo("r-9");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCorruptFrameIsLeftToTheFrameDecodersOwnClose() {
        start(DEFAULTS);
        connectToLiveStream();

        channel.pipeline().fireExceptionCaught(
                new CorruptedWebSocketFrameException(WebSocketCloseStatus.INVALID_PAYLOAD_DATA, "bad utf-8"));
        channel.runPendingTasks();

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void anUnexpectedFailureClosesWith1011() {
        start(DEFAULTS);
        connectToLiveStream();

        channel.pipeline().fireExceptionCaught(new IllegalStateException("boom (expected by this test)"));
        channel.runPendingTasks();

        assertThat(drainOutbound(channel)).containsExactly(new Close(1011, "internal error"));
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aFailureBeforeTheUpgradeCompletedClosesWithoutACloseFrame() {
        start(DEFAULTS);
        Stream stream = liveStream();
        installSession(new ViewerAdmission(stream, VIEWER_ID, TOKEN_EXPIRES_AT));

        channel.pipeline().fireExceptionCaught(new IllegalStateException("upgrade failed (expected by this test)"));
        channel.runPendingTasks();

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isFalse();
        assertThat(meters.find("nova.client.closes").counters()).isEmpty();
        assertThat(stream.viewerCounts().current()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aConnectionResetByThePeerIsNotAnInternalError() {
        start(DEFAULTS);
        connectToLiveStream();

        channel.pipeline().fireExceptionCaught(new SocketException("Connection reset"));
        channel.runPendingTasks();

        assertThat(channel.outboundMessages()).as("no close frame to a peer that has gone").isEmpty();
        assertThat(closes(1011)).as("the server did not fail").isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closingAViewerWithWritesStillPendingLogsNoWarning() {
        start(DEFAULTS);
        ChannelOutboundHandlerAdapter stalledSocket = new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
            }
        };
        channel.pipeline().addFirst(stalledSocket);
        connect(liveStream()); // connection_established and stream_started stay pending
        Logger logger = (Logger) LoggerFactory.getLogger(ViewerSessionHandler.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try {
            channel.close().syncUninterruptibly(); // the peer went away: its pending writes fail
            channel.runPendingTasks();
        } finally {
            logger.detachAppender(logged);
        }

        assertThat(logged.list).as("a viewer leaving is no server failure")
                .noneMatch(e -> e.getLevel().isGreaterOrEqual(Level.WARN));
        assertThat(closes(1011)).isZero();
        channel.finishAndReleaseAll();
    }

    private ByteBuf event(long seq) {
        return encoder.encode(new ViewerCountChanged(STREAM_ID, 1, 1, 1, NOW), seq);
    }
}
