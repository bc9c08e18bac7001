package io.nova.fanout.server.conformance;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.nova.fanout.server.connect.RequestTimeoutHandler;
import io.nova.fanout.server.connect.ViewerFraming;

/**
 * Stands where the viewer port's handshake handler stands and admits every request, installing what a
 * session gets, with {@link EchoHandler} in place of the viewer session: the same frame aggregator, at the
 * same limit. The Autobahn client asks for {@code /}, so the request goes on under a viewer path, where Netty's
 * protocol handler, configured as for viewers, takes it.
 */
final class EchoAdmission extends ChannelInboundHandlerAdapter {
    static final String VIEWER_PATH = ViewerFraming.WEBSOCKET_PATH + "/autobahn/ws";

    private final int maxFrameBytes;

    EchoAdmission(int maxFrameBytes) {
        this.maxFrameBytes = maxFrameBytes;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest request) {
            request.setUri(VIEWER_PATH);
            ChannelPipeline pipeline = ctx.pipeline();
            pipeline.addLast("frame-aggregator", ViewerFraming.frameAggregator(maxFrameBytes));
            pipeline.addLast("echo", new EchoHandler(maxFrameBytes));
            RequestTimeoutHandler.removeFrom(pipeline);
            pipeline.remove(this);
        }
        ctx.fireChannelRead(msg);
    }
}
