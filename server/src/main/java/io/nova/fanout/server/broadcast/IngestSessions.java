package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.stream.StreamRegistry;

/** Turns an authorised {@code GET /internal/v1/ingest} into an ingest WebSocket. */
final class IngestSessions {
    private final StreamRegistry registry;
    private final ObjectMapper mapper;

    IngestSessions(StreamRegistry registry, ObjectMapper mapper) {
        this.registry = registry;
        this.mapper = mapper;
    }

    /** Installs the ingest handlers and hands the request to the WebSocket handshake; takes ownership. */
    void upgrade(ChannelHandlerContext ctx, FullHttpRequest request, Principal principal, int maxFrameBytes) {
        ctx.pipeline().addLast("ingest-aggregator", new WebSocketFrameAggregator(maxFrameBytes));
        ctx.pipeline().addLast("ingest", new IngestHandler(registry, mapper, principal));
        ctx.pipeline().remove(ctx.handler());
        ctx.fireChannelRead(request);
    }
}
