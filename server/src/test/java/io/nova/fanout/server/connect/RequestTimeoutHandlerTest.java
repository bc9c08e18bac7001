package io.nova.fanout.server.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class RequestTimeoutHandlerTest {
    private static final long TIMEOUT_MILLIS = 10_000;
    private static final String REQUEST = "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";

    private static EmbeddedChannel channel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast(new HttpServerCodec(), new JsonHttpObjectAggregator(8192),
                new RequestTimeoutHandler(TIMEOUT_MILLIS));
        return channel;
    }

    private static void advance(EmbeddedChannel channel, long millis) {
        channel.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();
    }

    private static ByteBuf bytes(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII);
    }

    private static String written(EmbeddedChannel channel) {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = channel.readOutbound()) != null; ) {
            ByteBuf buf = (ByteBuf) m;
            out.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return out.toString();
    }

    @Test
    void aRequestDribbledInTooSlowlyIsCutOffWith408() {
        EmbeddedChannel channel = channel();
        for (char c : "GET /api/v1/streams/s/ws HTTP/1.1\r\nHo".toCharArray()) {
            channel.writeInbound(bytes(String.valueOf(c)));
            advance(channel, 200); // 36 bytes, 7.2 s
        }
        assertThat(channel.isOpen()).isTrue();

        advance(channel, 3_000);

        String response = written(channel);
        assertThat(response).startsWith("HTTP/1.1 408 Request Timeout")
                .contains("\"error_code\":\"PROTOCOL_ERROR\"", "no complete request within 10000 ms");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).as("%s", response).isFalse();
        // What the HTTP decoder makes of the half request once the connection is gone: nothing but a failure.
        for (Object m; (m = channel.readInbound()) != null; ) {
            assertThat(m).isInstanceOf(io.netty.handler.codec.DecoderResultProvider.class);
            assertThat(((io.netty.handler.codec.DecoderResultProvider) m).decoderResult().isFailure()).isTrue();
            io.netty.util.ReferenceCountUtil.release(m);
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void theExpiryIsAnnouncedToTheHandlersBehindIt() {
        EmbeddedChannel channel = channel();
        java.util.List<Object> events = new java.util.ArrayList<>();
        channel.pipeline().addLast(new io.netty.channel.ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(io.netty.channel.ChannelHandlerContext ctx, Object evt) {
                events.add(evt);
            }
        });
        advance(channel, TIMEOUT_MILLIS - 1);
        assertThat(events).isEmpty();

        advance(channel, 1);

        assertThat(written(channel)).startsWith("HTTP/1.1 408 Request Timeout");
        assertThat(events).containsExactly(RequestTimeoutHandler.Expired.INSTANCE);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aCompleteRequestInTimePassesOnAndTheNextOneHasAsLongAgain() {
        EmbeddedChannel channel = channel();
        advance(channel, 9_000);
        channel.writeInbound(bytes(REQUEST));
        FullHttpRequest request = channel.readInbound();
        assertThat(request.uri()).isEqualTo("/health");
        request.release();

        advance(channel, 9_000);
        assertThat(channel.isOpen()).as("10 s from the request, not from the connect").isTrue();
        advance(channel, 1_000);
        assertThat(written(channel)).startsWith("HTTP/1.1 408");
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void removedWhenTheConnectionBecomesAViewerAndThenNoDeadlineRemains() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(bytes(REQUEST));
        ((FullHttpRequest) channel.readInbound()).release();

        RequestTimeoutHandler.removeFrom(channel.pipeline());
        RequestTimeoutHandler.removeFrom(channel.pipeline()); // a no-op the second time
        advance(channel, 60_000);

        assertThat(channel.pipeline().get(RequestTimeoutHandler.class)).isNull();
        assertThat(written(channel)).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
