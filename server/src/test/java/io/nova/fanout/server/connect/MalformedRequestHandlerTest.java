package io.nova.fanout.server.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MalformedRequestHandlerTest {
    private static final int LIMIT = 256;

    private static EmbeddedChannel channel() {
        return new EmbeddedChannel(new HttpServerCodec(LIMIT, LIMIT, LIMIT), new HttpObjectAggregator(LIMIT),
                new MalformedRequestHandler());
    }

    private static String send(EmbeddedChannel channel, String raw) {
        channel.writeInbound(Unpooled.copiedBuffer(raw, StandardCharsets.US_ASCII));
        StringBuilder out = new StringBuilder();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.append(buf.toString(StandardCharsets.UTF_8));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void aRequestLineOverTheLimitIsRefusedWith414() {
        EmbeddedChannel channel = channel();
        String response = send(channel, "GET /" + "a".repeat(LIMIT * 2) + " HTTP/1.1\r\nHost: x\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 414 ").contains("\"error_code\":\"PROTOCOL_ERROR\"");
        assertThat(channel.isOpen()).as("refused connections are closed").isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headersOverTheLimitAreRefusedWith431() {
        EmbeddedChannel channel = channel();
        String response = send(channel, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(LIMIT * 2) + "\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 431 ").contains("\"error_code\":\"PROTOCOL_ERROR\"");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /** Found by ViewerHandshakeFuzzTest: the aggregator's exception reached the end of the pipeline. */
    @Test
    void aConnectionClosedInTheMiddleOfABodyEndsQuietly() {
        EmbeddedChannel channel = channel();
        assertThat(send(channel, "POST /health HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")).isEmpty();

        channel.close().syncUninterruptibly();

        assertThat(channel.finishAndReleaseAll()).as("no exception, nothing left").isFalse();
    }

    /** Found by ViewerHandshakeFuzzTest: the aggregator's 413 written into the closed channel failed loudly. */
    @Test
    void headersCutOffByTheCloseEndQuietly() {
        EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new JsonHttpObjectAggregator(LIMIT),
                new MalformedRequestHandler());
        send(channel, "GET /health HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 100001\r\n");

        channel.close().syncUninterruptibly();

        assertThat(channel.finishAndReleaseAll()).as("no exception, nothing left").isFalse();
    }

    /** Found by ViewerHandshakeFuzzTest: the health check threw on the URI and leaked the request. */
    @ParameterizedTest
    @ValueSource(strings = {"%]", "/health%", "/health?x=%zz", "/api/v1/streams/live/ws?token=%E"})
    void aUriThatDoesNotDecodeIsRefusedWith400(String uri) {
        EmbeddedChannel channel = channel();
        String response = send(channel, "POST " + uri + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc");

        assertThat(response).startsWith("HTTP/1.1 400 ").contains("\"error_code\":\"PROTOCOL_ERROR\"");
        assertThat((Object) channel.readInbound()).as("nothing passed on").isNull();
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aWellFormedRequestIsPassedOnUntouched() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.copiedBuffer("GET /health HTTP/1.1\r\nHost: x\r\n\r\n", StandardCharsets.US_ASCII));

        FullHttpRequest request = channel.readInbound();
        assertThat(request.decoderResult().isSuccess()).isTrue();
        assertThat(request.uri()).isEqualTo("/health");
        assertThat(request.refCnt()).isEqualTo(1);
        request.release();
        FullHttpResponse none = channel.readOutbound();
        assertThat(none).isNull();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
