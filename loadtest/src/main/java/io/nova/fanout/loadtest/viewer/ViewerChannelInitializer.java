package io.nova.fanout.loadtest.viewer;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketClientProtocolHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import java.net.URI;

/** The pipeline of one viewer connection: HTTP for the upgrade, then WebSocket frames to a {@link ViewerHandler}. */
final class ViewerChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** A refusal is a short JSON error; anything bigger is not worth aggregating. */
    private static final int MAX_REFUSAL_BYTES = 64 * 1024;
    /** The largest frame a server may be configured to send (its --max-frame-bytes maximum). */
    static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;
    /** How long a deliberate close waits for its close frame to be written before dropping the connection. */
    private static final long CLOSE_FRAME_TIMEOUT_MILLIS = 1_000;

    private final URI uri;
    private final ViewerSlot slot;
    private final ViewerServices services;
    private final long connectStartNanos;

    ViewerChannelInitializer(URI uri, ViewerSlot slot, ViewerServices services, long connectStartNanos) {
        this.uri = uri;
        this.slot = slot;
        this.services = services;
        this.connectStartNanos = connectStartNanos;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        WebSocketClientProtocolConfig config = WebSocketClientProtocolConfig.newBuilder()
                .webSocketUri(uri)
                .version(WebSocketVersion.V13)
                .allowExtensions(false)
                .maxFramePayloadLength(MAX_FRAME_BYTES)
                .handshakeTimeoutMillis(services.connectTimeoutNanos() / 1_000_000)
                // The handler counts close codes itself; the protocol handler would swallow them.
                .handleCloseFrames(false)
                .sendCloseFrame(WebSocketCloseStatus.NORMAL_CLOSURE)
                .forceCloseTimeoutMillis(CLOSE_FRAME_TIMEOUT_MILLIS)
                .generateOriginHeader(false)
                // The server is trusted to send UTF-8, and validating every byte would cost the hot path.
                .withUTF8Validator(false)
                .build();
        channel.pipeline().addLast(
                new HttpClientCodec(),
                new HttpObjectAggregator(MAX_REFUSAL_BYTES),
                new WebSocketClientProtocolHandler(config),
                new WebSocketFrameAggregator(MAX_FRAME_BYTES),
                new ViewerHandler(slot, services, connectStartNanos));
    }
}
