package io.nova.fanout.server.connect;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

/** Serves {@link StaticAssets} by exact path (GET and HEAD, with ETags) and passes every other request on. */
@Sharable
public final class StaticAssetHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final StaticAssets assets;

    public StaticAssetHandler(StaticAssets assets) {
        super(false);
        this.assets = assets;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        StaticAssets.Asset asset = assets.find(new QueryStringDecoder(request.uri()).path());
        if (asset == null) {
            ctx.fireChannelRead(request);
            return;
        }
        try {
            HttpResponses.send(ctx, request, respond(request, asset));
        } finally {
            request.release();
        }
    }

    private static FullHttpResponse respond(FullHttpRequest request, StaticAssets.Asset asset) {
        boolean head = HttpMethod.HEAD.equals(request.method());
        if (!head && !HttpMethod.GET.equals(request.method())) {
            return HttpResponses.methodNotAllowed("use GET", "GET, HEAD");
        }
        boolean unchanged = asset.etag().equals(request.headers().get(HttpHeaderNames.IF_NONE_MATCH));
        HttpResponseStatus status = unchanged ? HttpResponseStatus.NOT_MODIFIED : HttpResponseStatus.OK;
        boolean withBody = !head && !unchanged;
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                withBody ? Unpooled.wrappedBuffer(asset.body()) : Unpooled.EMPTY_BUFFER);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, asset.contentType())
                .set(HttpHeaderNames.ETAG, asset.etag())
                // Revalidate every time: a new server version may ship a new client under the same path.
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("X-Content-Type-Options", "nosniff")
                // A player on another origin loads the client as a module script, which needs CORS.
                .set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        if (!unchanged) {
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, asset.body().length);
        }
        return response;
    }
}
