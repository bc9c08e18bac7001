package io.nova.fanout.server.session;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.server.buffer.ViewerOutbox;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.metrics.NovaMetrics;
import java.time.Clock;

/**
 * The write side of one viewer: stream frames go straight to the channel while it is writable and into
 * the bounded {@link ViewerOutbox} while it is not. When the channel drains, the viewer first learns how
 * many frames it lost, then gets the retained ones in order.
 *
 * <p>While the channel is not writable the handler also stops reading, so a viewer that does not read
 * cannot make the server queue replies for it.
 */
public final class ViewerWriteHandler extends ChannelInboundHandlerAdapter {
    private final ViewerOutbox outbox;
    private final FramePreEncoder encoder;
    private final Clock clock;
    private final NovaMetrics metrics;
    private ChannelHandlerContext ctx;
    private int unflushedFrames;
    private Runnable onDrained;
    /** Set once a close frame is on its way; this handler's writes bypass Netty's guard against that. */
    private boolean discarded;
    /** Whether the outbox held frames when last looked at; what {@code nova_viewers_lagging} counts. */
    private boolean lagging;

    public ViewerWriteHandler(int bufferSize, FramePreEncoder encoder, Clock clock, NovaMetrics metrics) {
        this.outbox = new ViewerOutbox(bufferSize);
        this.encoder = encoder;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        outbox.clear();
        noteBacklog();
    }

    /** Writes a shared stream frame, or keeps it for later; takes ownership. Does not flush. */
    public void write(ByteBuf frame) {
        if (discarded) {
            frame.release();
            return;
        }
        if (outbox.isEmpty() && !ctx.channel().isWritable() && unflushedFrames > 0) {
            // Unflushed frames count against the watermark too: let the socket take them before
            // concluding that this viewer is slow.
            flush();
        }
        if (outbox.isEmpty() && ctx.channel().isWritable()) {
            ctx.write(frame, ctx.voidPromise());
            unflushedFrames++;
        } else {
            if (!outbox.offer(frame)) {
                metrics.messageDropped();
            }
            noteBacklog();
        }
    }

    /** Writes and flushes a connection-level message now, ahead of anything still in the outbox. */
    public void writeNow(ByteBuf frame) {
        if (discarded) {
            frame.release();
            return;
        }
        ctx.writeAndFlush(frame, ctx.voidPromise());
    }

    public void flush() {
        if (unflushedFrames > 0) {
            metrics.messagesSent(unflushedFrames);
            unflushedFrames = 0;
            ctx.flush();
        }
    }

    /** {@code true} when nothing is waiting in the outbox. */
    public boolean isDrained() {
        return outbox.isEmpty();
    }

    /** Runs once the outbox is empty: at once if it already is, otherwise when it next drains. */
    public void whenDrained(Runnable action) {
        if (outbox.isEmpty()) {
            action.run();
        } else {
            onDrained = action;
        }
    }

    /** Releases whatever still waits, and whatever is written from now on: nothing may follow a close frame. */
    public void discard() {
        discarded = true;
        outbox.clear();
        noteBacklog();
        onDrained = null;
    }

    /** How many frames wait in the outbox. */
    public int backlog() {
        return outbox.size();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drain();
        }
        // Read again after draining: the drain itself may have filled the channel.
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        outbox.clear();
        noteBacklog();
        onDrained = null;
        ctx.fireChannelInactive();
    }

    private void noteBacklog() {
        boolean backlogged = !outbox.isEmpty();
        if (backlogged != lagging) {
            lagging = backlogged;
            metrics.viewerLagging(backlogged);
        }
    }

    private void drain() {
        long dropped = outbox.takeDropped();
        if (dropped > 0) {
            ctx.write(encoder.encode(ErrorEvent.messagesDropped(dropped, clock.instant())), ctx.voidPromise());
        }
        ByteBuf frame;
        while (ctx.channel().isWritable() && (frame = outbox.poll()) != null) {
            ctx.write(frame, ctx.voidPromise());
            unflushedFrames++;
        }
        if (unflushedFrames > 0) {
            metrics.messagesSent(unflushedFrames);
            unflushedFrames = 0;
        }
        ctx.flush();
        noteBacklog();
        if (outbox.isEmpty() && onDrained != null) {
            Runnable action = onDrained;
            onDrained = null;
            action.run();
        }
    }
}
