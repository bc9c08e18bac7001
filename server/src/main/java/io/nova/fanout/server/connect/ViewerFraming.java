package io.nova.fanout.server.connect;

import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;

/**
 * The WebSocket framing of the viewer port, in one place: what Netty's protocol handler enforces (frame limit,
 * no extensions, UTF-8, close on a protocol violation) and how a fragmented message is joined. The viewer
 * pipeline takes both from here, and so does the test suite's RFC 6455 conformance echo server, so that what
 * the Autobahn suite checks is what viewers get.
 */
public final class ViewerFraming {
    /** Every viewer URL starts with it; the handshake handler checks the rest of the path. */
    public static final String WEBSOCKET_PATH = "/api/v1/streams";

    private ViewerFraming() {
    }

    public static WebSocketServerProtocolConfig protocolConfig(int maxFrameBytes, long handshakeTimeoutMillis) {
        return WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(WEBSOCKET_PATH)
                .checkStartsWith(true)
                .handshakeTimeoutMillis(handshakeTimeoutMillis)
                .dropPongFrames(false)
                // Sessions send their own close frames with precise codes; Netty's default would add a
                // second one, and would also write one into plain HTTP connections it closes.
                .sendCloseFrame(null)
                // No extensions (permessage-deflate stays off), frames up to the limit, UTF-8 checked, a
                // protocol violation closed with 1002.
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxFrameBytes)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .withUTF8Validator(true)
                        .build())
                .build();
    }

    /**
     * Joins a fragmented message into one frame; a message over {@code maxFrameBytes} in all fires a
     * {@link io.netty.handler.codec.TooLongFrameException}, which the handler behind it answers with 1009.
     */
    public static WebSocketFrameAggregator frameAggregator(int maxFrameBytes) {
        return new WebSocketFrameAggregator(maxFrameBytes);
    }
}
