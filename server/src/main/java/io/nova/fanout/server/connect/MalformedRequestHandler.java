package io.nova.fanout.server.connect;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers requests the HTTP decoder could not read (a request line or headers over the limit, broken
 * syntax) with a JSON error, before any handler mistakes their partial content for a real request; and lets go
 * of one that a client hung up in the middle of, which has no one left to answer.
 */
@Sharable
public final class MalformedRequestHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(MalformedRequestHandler.class);

    public MalformedRequestHandler() {
        super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        DecoderResult result = request.decoderResult();
        if (result.isSuccess()) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            Throwable cause = result.cause();
            HttpResponseStatus status = cause instanceof TooLongHttpLineException
                    ? HttpResponseStatus.REQUEST_URI_TOO_LONG
                    : cause instanceof TooLongHttpHeaderException
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE
                    : HttpResponseStatus.BAD_REQUEST;
            // Refused without keep-alive: the decoder cannot tell where the next request would start.
            HttpResponses.send(ctx, null, HttpResponses.error(status, "PROTOCOL_ERROR", "malformed HTTP request: "
                    + status.reasonPhrase().toLowerCase(java.util.Locale.ROOT)));
        } finally {
            request.release();
        }
    }

    /**
     * The aggregator reports a connection closed in the middle of a request (by the client, or by the request
     * deadline) as an exception; found by ViewerHandshakeFuzzTest, it used to reach the end of the pipeline and
     * make Netty log a warning for every such connection.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof PrematureChannelClosureException && !ctx.channel().isActive()) {
            log.debug("connection closed in the middle of a request");
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
