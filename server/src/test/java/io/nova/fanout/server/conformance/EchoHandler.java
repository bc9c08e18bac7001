package io.nova.fanout.server.conformance;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.nova.fanout.protocol.CloseCodes;

/**
 * Sends every message back whole, text as text and binary as binary, which is what the Autobahn suite asks
 * of the server under test. Netty's protocol handler in front of it already answers pings and close frames;
 * pongs end here. A message over the limit gets 1009, as a viewer's does.
 */
final class EchoHandler extends ChannelInboundHandlerAdapter {
    private final int maxFrameBytes;

    EchoHandler(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof TextWebSocketFrame || msg instanceof BinaryWebSocketFrame) {
            // The suite sends one message at a time and reads each echo, so nothing piles up unread.
            ctx.writeAndFlush(msg);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.MESSAGE_TOO_BIG,
                    "message larger than " + maxFrameBytes + " bytes")).addListener(ChannelFutureListener.CLOSE);
        } else if (!(cause instanceof CorruptedWebSocketFrameException)) {
            // A corrupt frame has already been answered by the frame decoder's close frame (1002, 1007, 1009).
            ctx.close();
        }
    }
}
