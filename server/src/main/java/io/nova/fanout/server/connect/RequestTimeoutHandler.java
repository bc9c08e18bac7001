package io.nova.fanout.server.connect;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Gives an HTTP connection a deadline for each complete request (from its start, then from the previous
 * request), and cuts it off with 408 when it misses it, so that a client sending its upgrade request a
 * byte at a time, or keeping an idle keep-alive connection, cannot hold a connection (Netty's WebSocket
 * handshake timeout only starts once a request is complete). Sits behind the HTTP aggregator, so it sees
 * a request only when it is whole. The handshake removes it when the connection becomes a viewer: one
 * timer per HTTP connection, and none per viewer.
 */
public final class RequestTimeoutHandler extends ChannelInboundHandlerAdapter {
    /**
     * Fired down the pipeline just before the 408 goes out: a handler still working on the last request (a
     * handshake waiting for token keys) must drop it rather than answer after the 408, whose close may wait
     * for a client that does not read.
     */
    public enum Expired { INSTANCE }

    private final long timeoutMillis;
    private ScheduledFuture<?> deadline;

    public RequestTimeoutHandler(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    /** Ends the request phase of a connection that became something else, a viewer; no-op without one. */
    public static void removeFrom(ChannelPipeline pipeline) {
        if (pipeline.get(RequestTimeoutHandler.class) != null) {
            pipeline.remove(RequestTimeoutHandler.class);
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        arm(ctx);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        deadline.cancel(false);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        // The next request, on a keep-alive connection, has as long again.
        deadline.cancel(false);
        arm(ctx);
        ctx.fireChannelRead(msg);
    }

    private void arm(ChannelHandlerContext ctx) {
        deadline = ctx.executor().schedule(() -> expire(ctx), timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private void expire(ChannelHandlerContext ctx) {
        if (ctx.channel().isActive()) {
            ctx.fireUserEventTriggered(Expired.INSTANCE);
            HttpResponses.send(ctx, null, HttpResponses.error(HttpResponseStatus.REQUEST_TIMEOUT, "PROTOCOL_ERROR",
                    "no complete request within " + timeoutMillis + " ms"));
        }
    }
}
