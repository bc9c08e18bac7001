package io.nova.fanout.server.connect;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.nio.channels.ClosedChannelException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers requests the HTTP decoder could not read (a request line or headers over the limit, broken
 * syntax, a URI whose percent-escapes do not decode) with a JSON error, before any handler mistakes their partial
 * content for a real request, or fails on their URI; and lets go of one that a client hung up in the middle of,
 * which has no one left to answer.
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
        if (result.isSuccess() && hasDecodableUri(request)) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            Throwable cause = result.cause();
            HttpResponseStatus status = result.isSuccess() ? HttpResponseStatus.BAD_REQUEST
                    : cause instanceof TooLongHttpLineException
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
     * Every later handler decodes the URI (QueryStringDecoder) and would throw on a bad escape such as
     * {@code /%zz}, leaving the request unreleased; found by ViewerHandshakeFuzzTest.
     */
    private static boolean hasDecodableUri(FullHttpRequest request) {
        try {
            QueryStringDecoder uri = new QueryStringDecoder(request.uri());
            uri.path();
            uri.parameters();
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * The aggregator reports a connection closed in the middle of a request (by the client, or by the request
     * deadline) as an exception, and its answer to an {@code Expect} header written into a connection closed
     * meanwhile as another; found by ViewerHandshakeFuzzTest, they used to reach the end of the pipeline and make
     * Netty log a warning for every such connection. There is no one left to answer.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if ((cause instanceof PrematureChannelClosureException || cause instanceof ClosedChannelException)
                && !ctx.channel().isActive()) {
            log.debug("connection closed in the middle of a request: {}", cause.toString());
            return;
        }
        ctx.fireExceptionCaught(cause);
    }
}
