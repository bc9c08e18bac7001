package io.nova.fanout.server.connect;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/** Netty's aggregator, whose 413 carries the same JSON error body as every other refusal. */
public final class JsonHttpObjectAggregator extends HttpObjectAggregator {

    public JsonHttpObjectAggregator(int maxContentLength) {
        super(maxContentLength);
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) throws Exception {
        if (!(oversized instanceof HttpRequest)) {
            super.handleOversizedMessage(ctx, oversized);
            return;
        }
        FullHttpResponse response = HttpResponses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE,
                "PAYLOAD_TOO_LARGE", "request body exceeds " + maxContentLength() + " bytes");
        // The rest of the body is still on its way; closing is the only way not to read it.
        HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
}
