package io.nova.fanout.server.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.nova.fanout.server.connect.HealthCheckHandler;
import io.nova.fanout.server.connect.Readiness;
import io.nova.fanout.server.connect.StaticAssetHandler;
import io.nova.fanout.server.connect.StaticAssets;
import io.nova.fanout.server.connect.ViewerChannelInitializer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Base64;

/** Requests as viewers send them and responses as the handshake handler answers them. */
public final class HandshakeFixtures {
    /** RFC 6455's sample key, and the accept value it must produce. */
    public static final String KEY = "dGhlIHNhbXBsZSBub25jZQ==";
    public static final String ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";

    private static final ObjectMapper JSON = new ObjectMapper();

    private HandshakeFixtures() {
    }

    /** A well-formed WebSocket upgrade request for {@code uri}. */
    public static FullHttpRequest upgrade(String uri) {
        return upgrade(HttpMethod.GET, uri);
    }

    public static FullHttpRequest upgrade(HttpMethod method, String uri) {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
        request.headers()
                .set(HttpHeaderNames.HOST, "localhost:8080")
                .set(HttpHeaderNames.UPGRADE, "websocket")
                .set(HttpHeaderNames.CONNECTION, "Upgrade")
                .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, KEY)
                .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
        return request;
    }

    /** The same upgrade request as raw bytes, the way it arrives on the socket. */
    public static ByteBuf rawUpgrade(String uri, String... extraHeaderLines) {
        StringBuilder request = new StringBuilder()
                .append("GET ").append(uri).append(" HTTP/1.1\r\n")
                .append("Host: localhost:8080\r\n")
                .append("Upgrade: websocket\r\n")
                .append("Connection: Upgrade\r\n")
                .append("Sec-WebSocket-Key: ").append(KEY).append("\r\n")
                .append("Sec-WebSocket-Version: 13\r\n");
        for (String line : extraHeaderLines) {
            request.append(line).append("\r\n");
        }
        return Unpooled.copiedBuffer(request.append("\r\n"), StandardCharsets.US_ASCII);
    }

    /** A client text frame on the wire: masked, as RFC 6455 requires (with an all-zero key, for readability). */
    public static ByteBuf maskedTextFrame(String text) {
        byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        assertThat(payload.length).isLessThan(126);
        ByteBuf frame = Unpooled.buffer(6 + payload.length);
        frame.writeByte(0x81).writeByte(0x80 | payload.length).writeInt(0).writeBytes(payload);
        return frame;
    }

    /**
     * Builds the viewer port's pipeline as {@code ViewerChannelInitializer} does (that initializer only accepts
     * a SocketChannel): HTTP codec, aggregator, health check, handshake handler, WebSocket protocol handler.
     */
    public static void viewerPipeline(EmbeddedChannel channel, ViewerHandshakeHandler handshake, int maxFrameBytes) {
        new ViewerChannelInitializer(new HealthCheckHandler(() -> Readiness.READY),
                new StaticAssetHandler(StaticAssets.of(Map.of())), ChannelInboundHandlerAdapter::new, () -> handshake,
                maxFrameBytes, 10_000, null)
                .addHandlers(channel.pipeline());
    }

    /**
     * Everything the channel has flushed to the wire, as one buffer (the caller releases it).
     *
     * <p>Before the upgrade, closing the channel makes Netty's WebSocket handler write a
     * {@link CloseWebSocketFrame} that no encoder turns into bytes yet; a socket channel refuses such a message
     * (it only writes buffers), so it never reaches the wire and is skipped here too.
     */
    public static ByteBuf outboundBytes(EmbeddedChannel channel) {
        ByteBuf all = Unpooled.buffer();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            try {
                if (msg instanceof CloseWebSocketFrame) {
                    continue;
                }
                assertThat(msg).isInstanceOf(ByteBuf.class);
                all.writeBytes((ByteBuf) msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
        return all;
    }

    /** An HTTP response, copied out of its buffers. */
    public record Response(HttpResponseStatus status, HttpHeaders headers, String body) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        public String errorCode() {
            return json().get("error_code").asText();
        }
    }

    /** Copies and releases a response object. */
    public static Response copyOf(FullHttpResponse response) {
        try {
            return new Response(response.status(), response.headers().copy(),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    /** Parses an HTTP response off the wire; whatever follows its head (WebSocket frames) is left in {@code wire}. */
    public static Response parseResponse(ByteBuf wire) {
        int headEnd = ByteBufUtil.indexOf(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), wire);
        assertThat(headEnd).as("end of the HTTP head").isNotNegative();
        EmbeddedChannel decoder = new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 16));
        try {
            int contentLength = 0;
            String head = wire.toString(wire.readerIndex(), headEnd + 4 - wire.readerIndex(), StandardCharsets.US_ASCII);
            for (String line : head.split("\r\n")) {
                if (line.regionMatches(true, 0, "content-length:", 0, 15)) {
                    contentLength = Integer.parseInt(line.substring(15).trim());
                }
            }
            int length = headEnd + 4 - wire.readerIndex() + contentLength;
            decoder.writeInbound(wire.readRetainedSlice(length));
            FullHttpResponse response = decoder.readInbound();
            assertThat(response).as("a complete HTTP response").isNotNull();
            return copyOf(response);
        } finally {
            decoder.finishAndReleaseAll();
        }
    }

    /** Base64url without padding, as JWTs use it. */
    public static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }
}
