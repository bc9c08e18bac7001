package io.nova.fanout.server.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.EventExecutor;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.connect.ViewerFraming;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.metrics.NovaMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What every viewer session shares, and the factory that installs a session's handlers once its
 * handshake has been accepted.
 */
public final class ViewerSessions {
    private final ProtocolCodec codec;
    private final FramePreEncoder encoder;
    private final Fanout fanout;
    private final NovaMetrics metrics;
    private final ViewerIssueLog issueLog;
    private final Clock clock;
    private final TokenVerifier tokens;
    private final Map<EventExecutor, Heartbeat> heartbeats = new IdentityHashMap<>();
    private final Settings settings;

    /**
     * The per-viewer limits and timers, taken from the server configuration.
     *
     * @param tokenExpiryWarning how long before its token's {@code exp} a viewer is sent {@code TOKEN_EXPIRED}
     */
    public record Settings(Duration pingInterval, Duration pingTimeout, Duration idleTimeout, Duration endGracePeriod,
            int bufferSize, int maxFrameBytes, int inboundRate, int inboundBurst, Duration tokenExpiryWarning) {
        long heartbeatPeriodNanos() {
            // The end grace period is not a heartbeat timer: a short one only needs to expire within a sweep.
            return Heartbeat.periodNanos(pingInterval.toNanos(), pingTimeout.toNanos(), idleTimeout.toNanos());
        }
    }

    /** @param tokens the handshake's verifier, which also judges the tokens of {@code refresh_token} */
    public ViewerSessions(Iterable<? extends EventExecutor> loops, Settings settings, ProtocolCodec codec,
            FramePreEncoder encoder, Fanout fanout, NovaMetrics metrics, ViewerIssueLog issueLog, Clock clock,
            TokenVerifier tokens) {
        this.settings = settings;
        this.codec = codec;
        this.encoder = encoder;
        this.fanout = fanout;
        this.metrics = metrics;
        this.issueLog = issueLog;
        this.clock = clock;
        this.tokens = tokens;
        for (EventExecutor loop : loops) {
            heartbeats.put(loop, new Heartbeat(loop, settings.heartbeatPeriodNanos()));
        }
    }

    /**
     * Adds the session's handlers around the WebSocket protocol handler of an accepted viewer.
     *
     * @param protocolHandlerName the pipeline name of Netty's {@code WebSocketServerProtocolHandler}
     */
    public void install(ChannelPipeline pipeline, String protocolHandlerName, ViewerAdmission admission) {
        ViewerWriteHandler writer = new ViewerWriteHandler(settings.bufferSize(), encoder, clock, metrics);
        ViewerSessionHandler session = new ViewerSessionHandler(admission, writer, this);
        pipeline.addBefore(protocolHandlerName, "viewer-activity", new InboundActivityHandler(session));
        pipeline.addLast("frame-aggregator", ViewerFraming.frameAggregator(settings.maxFrameBytes()));
        // Nearest the head: its frames are already complete WebSocket frames, so its writes and flushes go
        // straight to the socket instead of walking through the WebSocket and HTTP handlers (the handshake
        // later puts Netty's frame encoder and decoder after it, where the HTTP codec was). With TLS, right
        // behind the SslHandler, which must still encrypt them.
        ChannelHandlerContext tls = pipeline.context(SslHandler.class);
        if (tls == null) {
            pipeline.addFirst("viewer-writer", writer);
        } else {
            pipeline.addAfter(tls.name(), "viewer-writer", writer);
        }
        pipeline.addLast("viewer-session", session);
    }

    /**
     * Starts the graceful end of every viewer: each gets {@code SERVER_SHUTDOWN} behind what it has buffered,
     * then a close 1001 once that is out, or when {@code grace} is over. Returns at once.
     */
    public void shutDown(Duration grace) {
        heartbeats.values().forEach(heartbeat -> heartbeat.shutDownMembers(grace.toNanos()));
    }

    public void stop() {
        heartbeats.values().forEach(Heartbeat::stop);
    }

    ProtocolCodec codec() {
        return codec;
    }

    FramePreEncoder encoder() {
        return encoder;
    }

    Fanout fanout() {
        return fanout;
    }

    NovaMetrics metrics() {
        return metrics;
    }

    ViewerIssueLog issueLog() {
        return issueLog;
    }

    Clock clock() {
        return clock;
    }

    TokenVerifier tokens() {
        return tokens;
    }

    Duration tokenExpiryWarning() {
        return settings.tokenExpiryWarning();
    }

    Heartbeat heartbeat(EventExecutor loop) {
        return heartbeats.get(loop);
    }

    long pingIntervalNanos() {
        return settings.pingInterval().toNanos();
    }

    long pingTimeoutNanos() {
        return settings.pingTimeout().toNanos();
    }

    long idleTimeoutNanos() {
        return settings.idleTimeout().toNanos();
    }

    long endGraceNanos() {
        return settings.endGracePeriod().toNanos();
    }

    int maxFrameBytes() {
        return settings.maxFrameBytes();
    }

    int inboundRate() {
        return settings.inboundRate();
    }

    int inboundBurst() {
        return settings.inboundBurst();
    }

    /** 126 random bits (the top bit of each half is set to fix the width): unique per connection; not a secret. */
    String newSessionId() {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return "session_" + Long.toHexString(random.nextLong() | Long.MIN_VALUE) + Long.toHexString(random.nextLong() | Long.MIN_VALUE);
    }
}
