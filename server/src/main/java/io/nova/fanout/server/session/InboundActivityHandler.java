package io.nova.fanout.server.session;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;

/**
 * Sits in front of Netty's WebSocket protocol handler, which answers ping frames itself and never passes
 * them on, so that every inbound frame, pings included, counts as activity for the idle timeout.
 */
final class InboundActivityHandler extends ChannelInboundHandlerAdapter {
    private final ViewerSessionHandler session;

    InboundActivityHandler(ViewerSessionHandler session) {
        this.session = session;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof WebSocketFrame) {
            session.onInboundFrame();
        }
        ctx.fireChannelRead(msg);
    }
}
