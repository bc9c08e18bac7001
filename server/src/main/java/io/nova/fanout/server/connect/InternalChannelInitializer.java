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
import java.util.function.Supplier;

/** Builds the internal port's pipeline: the broadcaster HTTP API, and the ingest WebSocket behind it. */
public final class InternalChannelInitializer extends ChannelInitializer<SocketChannel> {
    private static final int MAX_PIPELINE_DEPTH = 4096;
    private final MalformedRequestHandler malformed = new MalformedRequestHandler();
    private final HealthCheckHandler health;
    private final Supplier<BroadcasterApiHandler> api;
    private final int maxRequestBytes;
    private final WebSocketServerProtocolConfig ingestConfig;

    public InternalChannelInitializer(HealthCheckHandler health, Supplier<BroadcasterApiHandler> api,
            int maxRequestBytes, int maxFrameBytes, long handshakeTimeoutMillis) {
        this.health = health;
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
