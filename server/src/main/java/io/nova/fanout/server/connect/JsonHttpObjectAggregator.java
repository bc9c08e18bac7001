package io.nova.fanout.server.connect;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator, whose refusals (413 for a body over the limit, and for {@code Expect: 100-continue} with
 * one announced; 417 for any other expectation) carry the same JSON error body as every other refusal.
 *
 * <p>A refused expectation leaves the connection open, as Netty does: a client that sent {@code Expect} waits for
 * the answer before its body, so after a refusal it sends none and the next bytes are its next request. (Closing
 * instead left the JDK's HttpClient 17 waiting forever for the answer it had already received.)
 */
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
        FullHttpResponse response = tooLarge();
        // The rest of the body is still on its way; closing is the only way not to read it.
        HttpUtil.setKeepAlive(response, false);
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }

    /** Netty's answer to an {@code Expect} header, a plain one, swapped for a JSON refusal when it is one. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(answer instanceof HttpResponse plain) || plain.status().codeClass() != HttpStatusClass.CLIENT_ERROR) {
            return answer; // none, or 100 Continue
        }
        HttpResponseStatus status = plain.status();
        ReferenceCountUtil.release(answer);
        return status.equals(HttpResponseStatus.EXPECTATION_FAILED)
                ? HttpResponses.error(status, "PROTOCOL_ERROR", "unsupported expectation (supported: 100-continue)")
                : tooLarge();
    }

    private FullHttpResponse tooLarge() {
        return HttpResponses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                "request body exceeds " + maxContentLength() + " bytes");
    }
}
