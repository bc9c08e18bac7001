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
import io.netty.handler.codec.http.HttpUtil;
import io.netty.util.ReferenceCountUtil;

/**
 * Netty's aggregator, whose refusals carry the same JSON error body as every other refusal: 413 for a body over
 * the limit, and 417 for an {@code Expect} other than {@code 100-continue}.
 *
 * <p>One refusal stays Netty's own, bodiless: the 413 to {@code Expect: 100-continue} with a {@code Content-Length}
 * over the limit. The JDK's HttpClient (17), which broadcasters may use, waits forever for the end of that answer
 * when it has a body, or when the connection closes after it (BroadcasterApiIntegrationTest). A refused expectation
 * leaves the connection open, as Netty does: a client that sent {@code Expect} waits for the answer before its
 * body, so after a refusal it sends none and the next bytes are its next request.
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

    /** Netty's answer to an {@code Expect} header, with its bodiless 417 swapped for a JSON refusal. */
    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object answer = super.newContinueResponse(start, maxContentLength, pipeline);
        if (!(answer instanceof HttpResponse plain) || !plain.status().equals(HttpResponseStatus.EXPECTATION_FAILED)) {
            return answer; // none, 100 Continue, or the 413 the JDK's client needs bodiless
        }
        ReferenceCountUtil.release(answer);
        return HttpResponses.error(HttpResponseStatus.EXPECTATION_FAILED, "PROTOCOL_ERROR",
                "unsupported expectation (supported: 100-continue)");
    }

    private FullHttpResponse tooLarge() {
        return HttpResponses.error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "PAYLOAD_TOO_LARGE",
                "request body exceeds " + maxContentLength() + " bytes");
    }
}
