package io.nova.fanout.server.handshake;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.ReferenceCountUtil;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.server.connect.HttpResponses;
import io.nova.fanout.server.metrics.NovaMetrics;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Holds one viewer-port connection to its address's {@link AddressLimits}: a request from an address over
 * its connection limit or its handshake rate gets 429 with {@code Retry-After}, and the connection is
 * closed. Sits in front of the handshake, behind the health checks, which stay answerable to probes; leaves
 * the pipeline once the connection is a viewer.
 */
public final class AddressLimitHandler extends ChannelInboundHandlerAdapter {
    /** A connection slot frees up when some viewer leaves: no better guess than a few seconds. */
    private static final int CONNECTION_RETRY_AFTER_SECONDS = 5;

    private final AddressLimits limits;
    private final NovaMetrics metrics;
    private final HandshakeLog handshakeLog;
    private InetAddress address;
    private boolean overConnectionLimit;

    public AddressLimitHandler(AddressLimits limits, NovaMetrics metrics, HandshakeLog handshakeLog) {
        this.limits = limits;
        this.metrics = metrics;
        this.handshakeLog = handshakeLog;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        if (ctx.channel().remoteAddress() instanceof InetSocketAddress remote && remote.getAddress() != null) {
            InetAddress opened = remote.getAddress();
            address = opened;
            overConnectionLimit = !limits.connectionOpened(opened);
            ctx.channel().closeFuture().addListener(f -> limits.connectionClosed(opened));
        }
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof FullHttpRequest) || address == null) {
            ctx.fireChannelRead(msg);
            return;
        }
        if (overConnectionLimit) {
            refuse(ctx, msg, "too many connections from this address", CONNECTION_RETRY_AFTER_SECONDS);
            return;
        }
        long waitNanos = limits.tryHandshake(address);
        if (waitNanos > 0) {
            long seconds = Math.max(1, (waitNanos + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
            refuse(ctx, msg, "too many handshakes from this address", seconds);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
            ctx.pipeline().remove(this); // the connection stays counted until it closes
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void refuse(ChannelHandlerContext ctx, Object request, String reason, long retryAfterSeconds) {
        String code = ErrorCode.RATE_LIMITED.wireName();
        metrics.handshake(code);
        handshakeLog.refused(ctx.channel(), HttpResponseStatus.TOO_MANY_REQUESTS.code(), code, reason);
        FullHttpResponse response = HttpResponses.error(HttpResponseStatus.TOO_MANY_REQUESTS, code, reason);
        response.headers().set(HttpHeaderNames.RETRY_AFTER, retryAfterSeconds);
        // Readable by a player's page on another origin, like every refusal of the viewer endpoint.
        response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        try {
            // Without keep-alive: an address over its limits gets no further requests on this connection.
            HttpResponses.send(ctx, null, response);
        } finally {
            ReferenceCountUtil.release(request);
        }
    }
}
