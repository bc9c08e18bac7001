package io.nova.fanout.server.connect;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * Answers {@code GET /health} (liveness: the process answers) and {@code GET /ready} (readiness: it wants
 * new connections, false while starting and while draining) on either port, and passes every other
 * request on.
 */
@Sharable
public final class HealthCheckHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final byte[] OK = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);

    private final Supplier<Readiness> readiness;

    public HealthCheckHandler(Supplier<Readiness> readiness) {
        super(false);
        this.readiness = readiness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (!"/health".equals(path) && !"/ready".equals(path)) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
                HttpResponses.send(ctx, request, HttpResponses.methodNotAllowed("use GET " + path, "GET, HEAD"));
            } else if ("/health".equals(path)) {
                HttpResponses.send(ctx, request, HttpResponses.json(HttpResponseStatus.OK, OK));
            } else {
                Readiness now = readiness.get();
                HttpResponseStatus status = now == Readiness.READY ? HttpResponseStatus.OK
                        : HttpResponseStatus.SERVICE_UNAVAILABLE;
                byte[] body = ("{\"status\":\"" + now.status() + "\"}").getBytes(StandardCharsets.UTF_8);
                HttpResponses.send(ctx, request, HttpResponses.json(status, body));
            }
        } finally {
            request.release();
        }
    }
}
