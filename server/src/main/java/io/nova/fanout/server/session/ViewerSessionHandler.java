package io.nova.fanout.server.session;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler.HandshakeComplete;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.nova.fanout.protocol.ClientMessage;
import io.nova.fanout.protocol.CloseCodes;
import io.nova.fanout.protocol.ConnectionEstablished;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.GetStreamInfo;
import io.nova.fanout.protocol.Ping;
import io.nova.fanout.protocol.Pong;
import io.nova.fanout.protocol.ProtocolLimits;
import io.nova.fanout.protocol.RefreshToken;
import io.nova.fanout.protocol.ReportIssue;
import io.nova.fanout.protocol.StreamInfo;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.protocol.TokenRefreshed;
import io.nova.fanout.server.auth.AuthResult;
import io.nova.fanout.server.fanout.ViewerSession;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamState;
import io.nova.fanout.server.stream.ViewerCounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One viewer after the upgrade: joins the stream, answers client messages, keeps the heartbeat, holds the
 * viewer to its token's expiry, and receives the stream's events from
 * {@link io.nova.fanout.server.fanout.Fanout}. Every method runs on the channel's event loop, which owns
 * all of this state.
 */
public final class ViewerSessionHandler extends ChannelInboundHandlerAdapter implements ViewerSession, Heartbeat.Member {
    private static final Logger log = LoggerFactory.getLogger(ViewerSessionHandler.class);

    private final ViewerAdmission admission;
    private final ViewerWriteHandler writer;
    private final ViewerSessions shared;
    private ChannelHandlerContext ctx;
    private PingSchedule pings;
    private InboundRateLimit inbound;
    private TokenLifetime token;
    private String sessionId;
    private long lastSeq;
    private boolean joined;
    private boolean closing;
    private boolean sentClose;
    private long closeDeadline;
    /** The close that ends the drain of a closing viewer, at the latest at {@code closeDeadline}. */
    private int drainCloseCode;
    private String drainCloseReason;
    private long forceCloseAt;
    private int groupIndex = -1;
    private int heartbeatIndex = -1;

    ViewerSessionHandler(ViewerAdmission admission, ViewerWriteHandler writer, ViewerSessions shared) {
        this.admission = admission;
        this.writer = writer;
        this.shared = shared;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof HandshakeComplete) {
            open();
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void open() {
        // The clock before the ticker: the token's deadlines then come late by the time between, never early.
        Instant wallNow = shared.clock().instant();
        long now = now();
        pings = new PingSchedule(now, shared.pingIntervalNanos(), shared.pingTimeoutNanos(), shared.idleTimeoutNanos());
        inbound = new InboundRateLimit(shared.inboundRate(), shared.inboundBurst());
        token = new TokenLifetime(admission.tokenExpiresAt(), shared.tokenExpiryWarning(), wallNow, now);
        sessionId = shared.newSessionId();
        Stream stream = admission.stream();
        writer.writeNow(shared.encoder().encode(new ConnectionEstablished(stream.id(), admission.viewerId(), sessionId,
                ProtocolLimits.PROTOCOL_VERSION, shared.clock().instant())));
        // Join before reading the snapshot: an event racing with the join is then either in the snapshot
        // (and skipped by seq when it arrives) or delivered after it, never lost.
        shared.fanout().join(stream.id(), this);
        stream.viewerJoined();
        joined = true;
        shared.heartbeat(ctx.executor()).register(this);
        StreamState state = stream.state();
        lastSeq = state.seq();
        if (state.status() == StreamStatus.ACTIVE) {
            writer.writeNow(shared.encoder().encode(StreamChange.streamStarted(state), state.seq()));
        } else if (state.status() == StreamStatus.ENDED) {
            close(CloseCodes.NORMAL, "stream ended");
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame text) {
                onText(text.content());
            } else if (msg instanceof BinaryWebSocketFrame) {
                close(CloseCodes.UNSUPPORTED_DATA, "binary frames are not supported");
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /** Any inbound frame, protocol-level pings and pongs included; see {@link InboundActivityHandler}. */
    void onInboundFrame() {
        if (pings != null) {
            pings.onInbound(now());
        }
    }

    private void onText(ByteBuf content) {
        long now = now();
        // Before decoding: a flood costs as little as possible.
        switch (inbound.onMessage(now)) {
            case ACCEPT -> { }
            case REFUSE_AND_WARN -> {
                writer.writeNow(shared.encoder().encode(ErrorEvent.rateLimited(shared.inboundRate(), shared.inboundBurst(),
                        shared.clock().instant())));
                return;
            }
            case REFUSE -> {
                return;
            }
            case CLOSE -> {
                close(CloseCodes.POLICY_VIOLATION, "rate limit exceeded");
                return;
            }
        }
        byte[] bytes = ByteBufUtil.getBytes(content);
        DecodeResult<ClientMessage> result = shared.codec().decodeClientMessage(bytes);
        if (result instanceof DecodeResult.Invalid<ClientMessage> invalid) {
            close(CloseCodes.UNSUPPORTED_DATA, invalid.reason());
            return;
        }
        ClientMessage message = ((DecodeResult.Decoded<ClientMessage>) result).message();
        if (message instanceof Pong pong) {
            long rtt = pings.onPong(pong.sequence(), now);
            if (rtt >= 0) {
                shared.metrics().rtt(rtt);
            }
        } else if (message instanceof GetStreamInfo request) {
            writer.writeNow(shared.encoder().encode(streamInfo(request.requestId())));
        } else if (message instanceof ReportIssue issue) {
            shared.issueLog().record(admission, sessionId, issue);
            shared.metrics().issueReported(issue.issueType(), issue.severity());
        } else if (message instanceof RefreshToken refresh) {
            refreshToken(refresh.token(), now);
        }
    }

    private void refreshToken(String newToken, long now) {
        if (token.expired(now)) {
            // Too late: the sweep has only not come round to this viewer yet.
            expire();
            return;
        }
        Future<AuthResult> verdict = shared.tokens().verify(newToken, ctx.executor());
        if (verdict.isDone()) {
            applyRefresh(verdict.getNow());
            return;
        }
        // Signed with a key the server has not read yet: as at the handshake, one JWKS read is waited for.
        verdict.addListener(done -> {
            if (done.isSuccess() && !sentClose && ctx.channel().isActive()) {
                if (token.expired(now())) {
                    expire();
                } else {
                    applyRefresh(verdict.getNow());
                }
            }
        });
    }

    private void applyRefresh(AuthResult verdict) {
        Instant wallNow = shared.clock().instant();
        TokenLifetime.Refresh outcome = token.refresh(verdict, admission.viewerId(), admission.stream().id(), wallNow,
                now());
        shared.metrics().tokenRefresh(outcome.tag());
        writer.writeNow(shared.encoder().encode(outcome == TokenLifetime.Refresh.ACCEPTED
                ? new TokenRefreshed(token.expiresAt(), wallNow)
                : ErrorEvent.invalidToken(outcome.problem, wallNow)));
    }

    private void expire() {
        if (sentClose || !ctx.channel().isActive()) {
            return;
        }
        shared.metrics().tokenExpired();
        close(CloseCodes.POLICY_VIOLATION, "token expired");
    }

    private StreamInfo streamInfo(String requestId) {
        Stream stream = admission.stream();
        StreamState state = stream.state();
        ViewerCounts counts = stream.viewerCounts();
        Instant now = shared.clock().instant();
        return new StreamInfo(requestId, stream.id(), state.status(), counts.current(), counts.peak(),
                state.metadata().quality(), state.currentBitrateKbps(), state.metadata().fps(),
                state.durationSeconds(now), state.metadata().broadcasterName(), now);
    }

    @Override
    public EventLoop eventLoop() {
        return ctx.channel().eventLoop();
    }

    @Override
    public void deliver(ByteBuf frame, long seq, boolean endOfStream) {
        if (seq <= lastSeq || closing) {
            frame.release();
            return;
        }
        lastSeq = seq;
        writer.write(frame);
        if (endOfStream) {
            closeWhenDrained(now() + shared.endGraceNanos(), CloseCodes.NORMAL, "stream ended");
        }
    }

    @Override
    public void flush() {
        writer.flush();
    }

    @Override
    public void onTick(long now) {
        if (sentClose) {
            // A peer that does not read never lets the close frame out; do not wait for it forever.
            if (now - forceCloseAt >= 0) {
                ctx.channel().close();
            }
            return;
        }
        if (closing) {
            if (now - closeDeadline >= 0) {
                close(drainCloseCode, drainCloseReason);
            }
            return;
        }
        switch (token.onTick(now)) {
            case CLOSE -> {
                expire();
                return;
            }
            case WARN -> writer.writeNow(shared.encoder().encode(
                    ErrorEvent.tokenExpiring(token.expiresAt(), token.closesAt(), shared.clock().instant())));
            case NONE -> { }
        }
        switch (pings.onTick(now)) {
            case SEND_PING -> writer.writeNow(shared.encoder().encode(new Ping(pings.sequence(), shared.clock().instant())));
            case CLOSE_PING_TIMEOUT -> close(CloseCodes.PING_TIMEOUT, "ping timeout");
            case CLOSE_IDLE -> close(CloseCodes.PING_TIMEOUT, "idle timeout");
            case NONE -> { }
        }
    }

    @Override
    public void shutDown(long deadlineNanos) {
        if (sentClose) {
            return;
        }
        if (closing) {
            // Already draining after stream_ended: that close stands, only sooner if need be.
            closeDeadline = Math.min(closeDeadline, deadlineNanos);
            return;
        }
        // Behind whatever the viewer has buffered, so that it gets those first.
        writer.write(shared.encoder().encode(ErrorEvent.serverShutdown(shared.clock().instant())));
        writer.flush();
        closeWhenDrained(deadlineNanos, CloseCodes.GOING_AWAY, "server shutting down");
    }

    /**
     * Takes no more stream events and closes once the outbox is out, or at {@code deadline} if it never is
     * (the heartbeat sweep enforces that).
     */
    private void closeWhenDrained(long deadline, int code, String reason) {
        closing = true;
        closeDeadline = deadline;
        drainCloseCode = code;
        drainCloseReason = reason;
        writer.whenDrained(() -> close(code, reason));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (pings == null) {
            // Still HTTP: the upgrade itself failed, and there is no WebSocket to close politely.
            log.debug("viewer upgrade failed: {}", cause.toString());
            ctx.close();
        } else if (cause instanceof TooLongFrameException) {
            close(CloseCodes.MESSAGE_TOO_BIG, "message larger than " + shared.maxFrameBytes() + " bytes");
        } else if (cause instanceof IOException || cause instanceof PrematureChannelClosureException) {
            // The viewer went away (reset, broken pipe) or hung up mid-message: a disconnect, not our failure.
            log.debug("viewer {} disconnected: {}", sessionId, cause.toString());
            ctx.close();
        } else if (cause instanceof CorruptedWebSocketFrameException) {
            // The frame decoder has already sent the matching close frame (1002, 1007 or 1009).
            log.debug("viewer {} sent a corrupt frame: {}", sessionId, cause.getMessage());
        } else {
            log.warn("viewer {} failed", sessionId, cause);
            close(CloseCodes.INTERNAL_ERROR, "internal error");
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (joined) {
            joined = false;
            shared.fanout().leave(admission.stream().id(), this);
            shared.heartbeat(ctx.executor()).unregister(this);
            admission.stream().viewerLeft();
            if (admission.stream().state().status() == StreamStatus.ENDED) {
                shared.fanout().forget(admission.stream().id());
            }
        }
        ctx.fireChannelInactive();
    }

    /** Sends a close frame once, then closes the connection when it is written. */
    private void close(int code, String reason) {
        if (sentClose || !ctx.channel().isActive()) {
            return;
        }
        sentClose = true;
        closing = true;
        writer.discard();
        forceCloseAt = now() + shared.pingTimeoutNanos();
        shared.metrics().serverClose(code);
        ctx.writeAndFlush(new CloseWebSocketFrame(code, truncate(reason))).addListener(ChannelFutureListener.CLOSE);
    }

    private static String truncate(String reason) {
        byte[] utf8 = reason.getBytes(StandardCharsets.UTF_8);
        if (utf8.length <= ProtocolLimits.MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        // Cut on a character boundary so the reason stays valid UTF-8.
        int end = Math.min(reason.length(), ProtocolLimits.MAX_CLOSE_REASON_BYTES);
        while (reason.substring(0, end).getBytes(StandardCharsets.UTF_8).length > ProtocolLimits.MAX_CLOSE_REASON_BYTES) {
            end--;
        }
        return reason.substring(0, end);
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    @Override
    public int groupIndex() {
        return groupIndex;
    }

    @Override
    public void groupIndex(int index) {
        groupIndex = index;
    }

    @Override
    public int heartbeatIndex() {
        return heartbeatIndex;
    }

    @Override
    public void heartbeatIndex(int index) {
        heartbeatIndex = index;
    }
}
