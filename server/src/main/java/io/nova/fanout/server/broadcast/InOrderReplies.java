package io.nova.fanout.server.broadcast;

import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.Future;
import java.util.ArrayDeque;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Writes replies in the order their requests arrived, although each completes on its stream's own event
 * loop. Too many unanswered requests pause reading until the oldest are answered.
 *
 * @param <T> the reply type
 */
final class InOrderReplies<T> {
    private final ChannelHandlerContext ctx;
    private final int maxInFlight;
    private final BiConsumer<ChannelHandlerContext, T> write;
    private final Function<Throwable, T> onFailure;
    private final ArrayDeque<Future<T>> pending = new ArrayDeque<>();

    /**
     * @param write     writes one reply without flushing; called on the channel's event loop
     * @param onFailure the reply for a request whose processing failed
     */
    InOrderReplies(ChannelHandlerContext ctx, int maxInFlight, BiConsumer<ChannelHandlerContext, T> write,
            Function<Throwable, T> onFailure) {
        this.ctx = ctx;
        this.maxInFlight = maxInFlight;
        this.write = write;
        this.onFailure = onFailure;
    }

    /** Queues a reply; call on the channel's event loop, in request order. */
    void add(Future<T> reply) {
        pending.add(reply);
        if (pending.size() >= maxInFlight) {
            ctx.channel().config().setAutoRead(false);
        }
        reply.addListener(done -> {
            if (ctx.executor().inEventLoop()) {
                writeCompleted();
            } else {
                ctx.executor().execute(this::writeCompleted);
            }
        });
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    private void writeCompleted() {
        boolean wrote = false;
        while (!pending.isEmpty() && pending.peek().isDone()) {
            Future<T> head = pending.poll();
            write.accept(ctx, head.isSuccess() ? head.getNow() : onFailure.apply(head.cause()));
            wrote = true;
        }
        if (wrote) {
            ctx.flush();
        }
        if (pending.size() < maxInFlight && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }
}
