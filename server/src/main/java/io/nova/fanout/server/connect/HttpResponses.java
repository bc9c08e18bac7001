package io.nova.fanout.server.connect;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;

/** JSON responses for both ports, including the {@code {"error_code", "error_message"}} refusals. */
public final class HttpResponses {
    private HttpResponses() {
    }

    public static FullHttpResponse json(HttpResponseStatus status, byte[] body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(body));
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length);
        return response;
    }

    public static FullHttpResponse error(HttpResponseStatus status, String errorCode, String errorMessage) {
        return json(status, errorBody(errorCode, errorMessage));
    }

    /** 405 with an {@code Allow} header, for a path that only answers {@code allow}. */
    public static FullHttpResponse methodNotAllowed(String message, String allow) {
        FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", message);
        response.headers().set(HttpHeaderNames.ALLOW, allow);
        return response;
    }

    public static byte[] errorBody(String errorCode, String errorMessage) {
        JsonStringEncoder quote = JsonStringEncoder.getInstance();
        return ("{\"error_code\":\"" + new String(quote.quoteAsString(errorCode)) + "\",\"error_message\":\""
                + new String(quote.quoteAsString(errorMessage)) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Sends a response, keeping the connection only when the request asked for it and it is not a refusal. */
    public static void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        boolean keepAlive = request != null && HttpUtil.isKeepAlive(request) && response.status().code() < 400;
        HttpUtil.setKeepAlive(response, keepAlive);
        if (keepAlive) {
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
