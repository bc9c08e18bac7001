package io.nova.fanout.server.connect;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.nova.fanout.server.tls.ServerTls;
import java.util.function.Supplier;

/**
 * Builds the viewer port's pipeline: HTTP until the handshake handler admits the viewer, then Netty's
 * WebSocket protocol handler (upgrade, close and ping frames, frame limits, UTF-8 checks; see
 * {@link ViewerFraming}) in front of the session's handlers, which the handshake handler installs. With TLS,
 * an {@code SslHandler} from the port's current context comes first, so a reloaded certificate serves the
 * next connection.
 */
public final class ViewerChannelInitializer extends ChannelInitializer<SocketChannel> {
    /** An upgrade request is headers only; anything bigger is not a viewer. */
    private static final int MAX_REQUEST_BYTES = 8 * 1024;
    private static final int MAX_INITIAL_LINE_BYTES = 8 * 1024;
    private static final int MAX_HEADER_BYTES = 8 * 1024;

    /** The pipeline name of Netty's WebSocket protocol handler; the handshake handler installs around it. */
    public static final String WEBSOCKET = "websocket";

    private final MalformedRequestHandler malformed = new MalformedRequestHandler();
    private final HealthCheckHandler health;
    private final StaticAssetHandler assets;
    private final Supplier<? extends ChannelHandler> addressLimits;
    private final Supplier<? extends ChannelHandler> handshakes;
    private final WebSocketServerProtocolConfig webSocketConfig;
    private final long requestTimeoutMillis;
    private final ServerTls tls;

    /**
     * @param addressLimits one handler per connection, holding it to its address's limits
     * @param handshakes one handler per connection that admits a viewer or refuses it before the upgrade:
     *     {@code ViewerHandshakeHandler}; the conformance tests put an echo in place of the session there
     * @param tls the port's certificate, or {@code null} for plain {@code ws://}
     */
    public ViewerChannelInitializer(HealthCheckHandler health, StaticAssetHandler assets,
            Supplier<? extends ChannelHandler> addressLimits, Supplier<? extends ChannelHandler> handshakes,
            int maxFrameBytes, long handshakeTimeoutMillis, ServerTls tls) {
        this.health = health;
        this.addressLimits = addressLimits;
        this.tls = tls;
        this.assets = assets;
        this.requestTimeoutMillis = handshakeTimeoutMillis;
        this.handshakes = handshakes;
        this.webSocketConfig = ViewerFraming.protocolConfig(maxFrameBytes, handshakeTimeoutMillis);
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        if (tls != null) {
            // The handshake gets the request's deadline: a client that never sends its ClientHello is cut off
            // then, like one that never sends its request.
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), requestTimeoutMillis));
            ch.pipeline().addLast("tls-failures", tls.failures());
        }
        addHandlers(ch.pipeline());
    }

    /** The whole viewer pipeline; public so handler tests can build it on an {@code EmbeddedChannel}. */
    public void addHandlers(ChannelPipeline p) {
        p.addLast("http", new HttpServerCodec(MAX_INITIAL_LINE_BYTES, MAX_HEADER_BYTES, MAX_REQUEST_BYTES));
        p.addLast("http-aggregator", new JsonHttpObjectAggregator(MAX_REQUEST_BYTES));
        p.addLast("request-timeout", new RequestTimeoutHandler(requestTimeoutMillis));
        p.addLast("malformed", malformed);
        p.addLast("health", health);
        p.addLast("assets", assets);
        p.addLast("address-limits", addressLimits.get());
        p.addLast("handshake", handshakes.get());
        p.addLast(WEBSOCKET, new WebSocketServerProtocolHandler(webSocketConfig));
    }
}
