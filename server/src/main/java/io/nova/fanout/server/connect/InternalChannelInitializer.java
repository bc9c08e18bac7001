package io.nova.fanout.server.connect;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.nova.fanout.server.broadcast.BroadcasterApiHandler;
import io.nova.fanout.server.tls.ServerTls;
import java.util.function.Supplier;

/**
 * Builds the internal port's pipeline: the broadcaster HTTP API, and the ingest WebSocket behind it; with TLS,
 * an {@code SslHandler} from the port's current context in front.
 */
public final class InternalChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_PIPELINE_DEPTH = 4096;
    private final MalformedRequestHandler malformed = new MalformedRequestHandler();
    private final HealthCheckHandler health;
    private final Supplier<BroadcasterApiHandler> api;
    private final int maxRequestBytes;
    private final WebSocketServerProtocolConfig ingestConfig;
    private final long handshakeTimeoutMillis;
    private final ServerTls tls;

    /** @param tls the port's certificate, or {@code null} for plain {@code http://} */
    public InternalChannelInitializer(HealthCheckHandler health, Supplier<BroadcasterApiHandler> api,
            int maxRequestBytes, int maxFrameBytes, long handshakeTimeoutMillis, ServerTls tls) {
        this.health = health;
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
        this.tls = tls;
        this.api = api;
        this.maxRequestBytes = maxRequestBytes;
        this.ingestConfig = WebSocketServerProtocolConfig.newBuilder()
                .websocketPath("/internal/v1/ingest")
                .checkStartsWith(true)
                .sendCloseFrame(null)
                .handshakeTimeoutMillis(handshakeTimeoutMillis)
                .decoderConfig(WebSocketDecoderConfig.newBuilder()
                        .maxFramePayloadLength(maxFrameBytes)
                        .allowExtensions(false)
                        .closeOnProtocolViolation(true)
                        .build())
                .build();
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        ChannelPipeline p = ch.pipeline();
        if (tls != null) {
            // This port has no request deadline: the handshake timeout is what cuts off a silent client.
            p.addLast("tls", tls.newHandler(ch.alloc(), handshakeTimeoutMillis));
            p.addLast("tls-failures", tls.failures());
        }
        // Reading pauses after 16 unanswered requests, but one read can hold hundreds of small pipelined ones;
        // Netty's default depth of 128 would drop the connection and every request in flight on it.
        p.addLast("http", new HttpServerCodec(new HttpDecoderConfig(), MAX_PIPELINE_DEPTH));
        // Answers 413 by itself when a body exceeds the limit.
        p.addLast("http-aggregator", new JsonHttpObjectAggregator(maxRequestBytes));
        p.addLast("malformed", malformed);
        p.addLast("health", health);
        p.addLast("api", api.get());
        p.addLast("websocket", new WebSocketServerProtocolHandler(ingestConfig));
    }
}
