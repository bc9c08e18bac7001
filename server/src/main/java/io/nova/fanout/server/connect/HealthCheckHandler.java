package io.nova.fanout.server.connect;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;

/** Answers {@code GET /health} on either port and passes every other request on. */
@Sharable
public final class HealthCheckHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final byte[] OK = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    public HealthCheckHandler() {
        super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!"/health".equals(new QueryStringDecoder(request.uri()).path())) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            if (request.method().equals(HttpMethod.GET) || request.method().equals(HttpMethod.HEAD)) {
                HttpResponses.send(ctx, request, HttpResponses.json(HttpResponseStatus.OK, OK));
            } else {
                FullHttpResponse response = HttpResponses.error(HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "METHOD_NOT_ALLOWED", "use GET /health");
                response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
                HttpResponses.send(ctx, request, response);
            }
        } finally {
            request.release();
        }
    }
}
