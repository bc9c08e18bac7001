package io.nova.fanout.loadtest.viewer;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakeException;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler.ClientHandshakeStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import io.nova.fanout.loadtest.plan.PhaseTimeline;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.Pong;
import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * One viewer connection, from the upgrade to the close: it counts the connect's outcome, answers pings,
 * follows {@code seq}, times every {@code bitrate_update} from its scheduled send time, and counts drop
 * notices and closes. Everything runs on the connection's event loop.
 */
final class ViewerHandler extends ChannelInboundHandlerAdapter {
    /** What a close without a status code is reported as (RFC 6455, section 7.1.5). */
    private static final int NO_STATUS_CODE = 1005;
    /** What a connection lost without a close frame is reported as, as browsers do. */
    private static final int ABNORMAL_CLOSURE = 1006;

    private final ViewerSlot slot;
    private final ViewerServices services;
    private final long connectStartNanos;

    private ChannelHandlerContext ctx;
    private ViewerLoopState loop;
    private ScheduledFuture<?> deadline;
    private boolean outcomeKnown;
    private boolean established;
    private boolean deliberateClose;
    private boolean closeFrameReceived;
    private long lastSeq = ScannedFrame.ABSENT;

    /** @param connectStartNanos {@code System.nanoTime()} when the TCP connect began */
    ViewerHandler(ViewerSlot slot, ViewerServices services, long connectStartNanos) {
        this.slot = slot;
        this.services = services;
        this.connectStartNanos = connectStartNanos;
    }

    /** Closes the connection on purpose (churn, end of run), with close code 1000. Thread-safe. */
    ChannelFuture closeDeliberately() {
        ctx.executor().execute(() -> {
            deliberateClose = true;
            ctx.close();
        });
        return ctx.channel().closeFuture();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.loop = services.loopState(ctx.executor());
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        // The TCP connect is done; the rest of the connect timeout is for the upgrade and connection_established.
        long remaining = services.connectTimeoutNanos() - (System.nanoTime() - connectStartNanos);
        deadline = ctx.executor().schedule(this::giveUpConnecting, Math.max(0, remaining), TimeUnit.NANOSECONDS);
        super.channelActive(ctx);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof TextWebSocketFrame text) {
                onText(text.content());
            } else if (msg instanceof CloseWebSocketFrame close) {
                onCloseFrame(close);
            } else {
                services.stats().unexpectedMessage(); // Binary: the protocol has none.
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onText(ByteBuf content) {
        ScannedFrame frame = loop.scan(content);
        if (frame == null) {
            services.stats().unreadableFrame();
            return;
        }
        switch (frame.event()) {
            case BITRATE_UPDATE -> {
                followSeq(frame.seq());
                recordDelivery(frame.timestampMillis());
            }
            case PING -> answerPing(frame.pingSequence());
            case CONNECTION_ESTABLISHED -> onEstablished();
            case ERROR -> {
                if (frame.seq() == ScannedFrame.ABSENT) {
                    onConnectionNotice(content);
                } else {
                    followSeq(frame.seq());
                }
            }
            case STREAM_INFO -> { } // Never asked for; nothing to learn from one.
            case UNKNOWN -> services.stats().unexpectedMessage();
            default -> followSeq(frame.seq());
        }
    }

    private void recordDelivery(long scheduledMillis) {
        if (scheduledMillis == ScannedFrame.ABSENT) {
            return;
        }
        int phase = services.timeline().phaseAt(scheduledMillis);
        if (phase != PhaseTimeline.OUTSIDE) {
            long latencyMicros = services.clock().epochMicros() - scheduledMillis * 1_000;
            loop.latency().recordDelivery(phase, slot.healthy(), latencyMicros);
        }
    }

    private void followSeq(long seq) {
        if (seq == ScannedFrame.ABSENT) {
            return;
        }
        if (lastSeq != ScannedFrame.ABSENT) {
            if (seq > lastSeq + 1) {
                services.stats().gap(seq - lastSeq - 1, slot.healthy());
            } else if (seq <= lastSeq) {
                services.stats().seqRegression();
                return;
            }
        }
        lastSeq = seq;
    }

    private void answerPing(long sequence) {
        if (slot.behaviour() == ViewerBehaviour.SILENT) {
            return;
        }
        // Pings come every 30 s per connection by default: rare enough for the protocol module's encoder.
        byte[] pong = services.codec().encode(new Pong(sequence == ScannedFrame.ABSENT ? null : sequence, null));
        ctx.writeAndFlush(new TextWebSocketFrame(Unpooled.wrappedBuffer(pong)));
        services.stats().pong();
    }

    /** A stream event without {@code seq} can only be the MESSAGES_DROPPED notice; rare, so decoded in full. */
    private void onConnectionNotice(ByteBuf content) {
        DecodeResult<?> decoded = services.codec().decodeServerMessage(ByteBufUtil.getBytes(content));
        if (decoded instanceof DecodeResult.Decoded<?> message
                && message.message() instanceof ErrorEvent error
                && error.errorCode() == ErrorCode.MESSAGES_DROPPED
                && error.droppedCount() != null) {
            services.stats().dropNotice(error.droppedCount());
        } else {
            services.stats().unexpectedMessage();
        }
    }

    private void onEstablished() {
        if (established) {
            services.stats().unexpectedMessage();
            return;
        }
        established = true;
        outcomeKnown = true;
        cancelDeadline();
        services.stats().established();
        loop.latency().recordConnect((System.nanoTime() - connectStartNanos) / 1_000);
        slot.attach(this);
        if (slot.behaviour() == ViewerBehaviour.SLOW) {
            // Stop reading: the server's writes back up into this connection's socket buffers and queue.
            ctx.channel().config().setAutoRead(false);
        }
        services.lifecycle().established(slot);
    }

    private void onCloseFrame(CloseWebSocketFrame close) {
        if (!deliberateClose && !closeFrameReceived) {
            closeFrameReceived = true;
            int code = close.statusCode();
            services.stats().closed(code < 0 ? NO_STATUS_CODE : code);
        }
        ctx.close(); // The protocol handler answers with a close frame of its own first.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == ClientHandshakeStateEvent.HANDSHAKE_TIMEOUT && !outcomeKnown) {
            fail("handshake timed out");
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!outcomeKnown) {
            if (cause instanceof WebSocketClientHandshakeException refused && refused.response() != null) {
                // The server answers every refusal with an HTTP status and a JSON body before any upgrade.
                outcomeKnown = true;
                cancelDeadline();
                services.stats().refused(refused.response().status().code());
                services.lifecycle().connectFailed(slot);
            } else {
                fail(ConnectFailures.describe(cause));
            }
        } else if (!(cause instanceof IOException)) {
            // A frame the codec could not take; an I/O error shows up as the close that follows it.
            services.stats().unreadableFrame();
        }
        ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelDeadline();
        if (!outcomeKnown) {
            fail("closed before connection_established");
        } else if (established) {
            services.stats().disconnected();
            slot.detach(this);
            if (!deliberateClose && !closeFrameReceived) {
                services.stats().closed(ABNORMAL_CLOSURE);
            }
            services.lifecycle().closed(slot, deliberateClose);
        }
        super.channelInactive(ctx);
    }

    private void giveUpConnecting() {
        if (!outcomeKnown) {
            fail("no connection_established within the connect timeout");
            ctx.close();
        }
    }

    private void fail(String reason) {
        outcomeKnown = true;
        cancelDeadline();
        services.stats().failed(reason);
        services.lifecycle().connectFailed(slot);
    }

    private void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }
}
