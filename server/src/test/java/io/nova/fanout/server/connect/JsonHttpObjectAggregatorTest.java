package io.nova.fanout.server.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class JsonHttpObjectAggregatorTest {
    private static final int LIMIT = 64;

    private final EmbeddedChannel channel = new EmbeddedChannel(new HttpServerCodec(), new JsonHttpObjectAggregator(LIMIT));

    private String send(String raw) {
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
    void aBodyOverTheLimitIsRefusedWithJson413AndClosed() {
        String response = send("POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 65\r\n\r\n" + "b".repeat(65));

        assertThat(response).startsWith("HTTP/1.1 413 ").contains("connection: close")
                .endsWith("{\"error_code\":\"PAYLOAD_TOO_LARGE\",\"error_message\":\"request body exceeds 64 bytes\"}");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    /** Netty's own answer, kept bodiless: the JDK's HttpClient 17 hangs on any other (see the class comment). */
    @Test
    void aContinueExpectationWithABodyOverTheLimitIsRefusedWithABodiless413() {
        String response = send("POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 65\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 413 ").contains("content-length: 0").endsWith("\r\n\r\n");
        assertNextRequestIsRead();
    }

    /** Found by ViewerHandshakeFuzzTest: Netty's own 417 had no body. */
    @Test
    void anUnsupportedExpectationIsRefusedWithJson417() {
        String response = send("POST /x HTTP/1.1\r\nHost: x\r\nExpect: x-unknown\r\nContent-Length: 5\r\n\r\n");

        assertThat(response).startsWith("HTTP/1.1 417 ").endsWith(
                "{\"error_code\":\"PROTOCOL_ERROR\",\"error_message\":\"unsupported expectation (supported: 100-continue)\"}");
        assertNextRequestIsRead();
    }

    /** A client that asked to be told first does not send the refused body: the connection goes on without it. */
    private void assertNextRequestIsRead() {
        assertThat((Object) channel.readInbound()).as("the refused request").isNull();
        assertThat(channel.isOpen()).isTrue();

        assertThat(send("GET /next HTTP/1.1\r\nHost: x\r\n\r\n")).isEmpty();

        FullHttpRequest next = channel.readInbound();
        assertThat(next.uri()).isEqualTo("/next");
        next.release();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aContinueExpectationWithinTheLimitGets100ThenTheRequestIsPassedOn() {
        assertThat(send("POST /x HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n"))
                .isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");

        assertThat(send("hello")).isEmpty();

        FullHttpRequest request = channel.readInbound();
        assertThat(request.content().toString(StandardCharsets.US_ASCII)).isEqualTo("hello");
        request.release();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
