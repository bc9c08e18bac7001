package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.Future;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ProtocolLimits;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.connect.HttpResponses;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcaster's HTTP API on the internal port. One request is handled at a time per connection (reading
 * pauses until the answer is written), so pipelined requests are answered in order even though each
 * stream's changes complete on that stream's own event loop.
 */
public final class BroadcasterApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(BroadcasterApiHandler.class);
    private static final String STREAMS = "/internal/v1/streams";
    static final String INGEST = "/internal/v1/ingest";

    private final StreamRegistry registry;
    private final BroadcasterAuth auth;
    private final ObjectMapper mapper;
    private final StreamViews views;
    private final Supplier<String> metricsScrape;
    private final IngestSessions ingest;
    private final int maxFrameBytes;

    public BroadcasterApiHandler(StreamRegistry registry, BroadcasterApiContext context) {
        super(false);
        this.registry = registry;
        this.auth = new BroadcasterAuth(context.tokens());
        this.mapper = context.mapper();
        this.views = new StreamViews(context.mapper(), context.clock());
        this.metricsScrape = context.metricsScrape();
        this.ingest = new IngestSessions(registry, context.mapper());
        this.maxFrameBytes = context.maxFrameBytes();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        if (path.equals("/metrics")) {
            respond(ctx, request, HttpMethod.GET.equals(request.method())
                    ? metrics() : methodNotAllowed(HttpMethod.GET));
            return;
        }
        BroadcasterAuth.Verdict verdict = path.equals(INGEST) || path.startsWith(STREAMS) ? auth.check(request.headers()) : null;
        if (verdict == null) {
            respond(ctx, request, error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such endpoint"));
        } else if (!verdict.allowed()) {
            respond(ctx, request, error(verdict.status(), verdict.code().wireName(), verdict.message()));
        } else if (path.equals(INGEST)) {
            ingest.upgrade(ctx, request, verdict.principal(), maxFrameBytes);
        } else {
            route(ctx, request, path.substring(STREAMS.length()), verdict.principal());
        }
    }

    private void route(ChannelHandlerContext ctx, FullHttpRequest request, String rest, Principal principal) {
        HttpMethod method = request.method();
        if (rest.isEmpty() || rest.equals("/")) {
            respond(ctx, request, HttpMethod.GET.equals(method) ? list(principal) : methodNotAllowed(HttpMethod.GET));
            return;
        }
        String[] parts = rest.substring(1).split("/", -1);
        String streamId = parts[0];
        String action = parts.length == 2 ? parts[1] : parts.length == 1 ? "" : null;
        if (action == null || !Set.of("", "start", "events", "end").contains(action)) {
            respond(ctx, request, error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such endpoint"));
            return;
        }
        HttpMethod expected = action.isEmpty() ? (HttpMethod.PUT.equals(method) ? HttpMethod.PUT : HttpMethod.GET) : HttpMethod.POST;
        if (!expected.equals(method)) {
            respond(ctx, request, action.isEmpty() ? methodNotAllowed(HttpMethod.GET, HttpMethod.PUT) : methodNotAllowed(HttpMethod.POST));
            return;
        }
        if (!ProtocolLimits.isValidStreamId(streamId)) {
            respond(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST",
                    "malformed stream id (expected: " + ProtocolLimits.STREAM_ID_REGEX + ")"));
            return;
        }
        if (!principal.grant().allows(streamId)) {
            respond(ctx, request, error(HttpResponseStatus.FORBIDDEN, ErrorCode.UNAUTHORIZED.wireName(),
                    "token does not grant stream " + streamId));
            return;
        }
        if (HttpMethod.GET.equals(method)) {
            respond(ctx, request, registry.find(streamId)
                    .map(stream -> ok(HttpResponseStatus.OK, views.view(stream, stream.state())))
                    .orElseGet(() -> notFound(streamId)));
            return;
        }
        JsonNode body = action.equals("start") ? mapper.createObjectNode() : parse(request);
        if (body == null) {
            respond(ctx, request, error(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST", "body is not valid JSON"));
            return;
        }
        FieldErrors errors = new FieldErrors();
        Future<StreamOutcome> outcome = submit(action, streamId, body, errors);
        if (outcome == null) {
            respond(ctx, request, invalid(errors));
            return;
        }
        // Stop reading until this answer is written, so pipelined requests are answered in order.
        ctx.channel().config().setAutoRead(false);
        outcome.addListener(done -> ctx.executor().execute(() -> {
            ctx.channel().config().setAutoRead(true);
            respond(ctx, request, done.isSuccess() ? answer(streamId, action, outcome.getNow())
                    : serverError(done.cause()));
        }));
    }

    private Future<StreamOutcome> submit(String action, String streamId, JsonNode body, FieldErrors errors) {
        switch (action) {
            case "" -> {
                var metadata = BroadcastRequests.metadata(body, errors);
                return metadata == null ? null : registry.register(streamId, metadata);
            }
            case "start" -> {
                return registry.apply(streamId, List.of(new StreamChange.Start()));
            }
            case "end" -> {
                EndReason reason = BroadcastRequests.endReason(body, errors);
                return reason == null ? null : registry.apply(streamId, List.of(new StreamChange.End(reason)));
            }
            default -> {
                List<StreamChange> changes = new ArrayList<>();
                if (body.isArray()) {
                    if (body.isEmpty()) {
                        errors.add("body", "expected at least one event");
                    }
                    for (int i = 0; i < body.size(); i++) {
                        changes.add(BroadcastRequests.event(body.get(i), "[" + i + "].", Set.of(), errors));
                    }
                } else {
                    changes.add(BroadcastRequests.event(body, "", Set.of(), errors));
                }
                return errors.isEmpty() ? registry.apply(streamId, changes) : null;
            }
        }
    }

    private FullHttpResponse answer(String streamId, String action, StreamOutcome outcome) {
        if (outcome instanceof StreamOutcome.Refused refused) {
            return switch (refused.reason()) {
                case NOT_FOUND -> notFound(streamId);
                case CONFLICT -> error(HttpResponseStatus.CONFLICT, "INVALID_TRANSITION", refused.message());
                case TOO_LARGE -> error(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "PAYLOAD_TOO_LARGE", refused.message());
            };
        }
        StreamOutcome.Applied applied = (StreamOutcome.Applied) outcome;
        Stream stream = registry.find(streamId).orElse(null);
        ObjectNode view = stream == null ? mapper.createObjectNode() : views.view(stream, applied.state());
        if (action.isEmpty()) {
            return ok(applied.created() ? HttpResponseStatus.CREATED : HttpResponseStatus.OK, view);
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("stream_id", streamId).put("first_seq", applied.firstSeq()).put("last_seq", applied.lastSeq());
        body.set("stream", view);
        return ok(HttpResponseStatus.OK, body);
    }

    private FullHttpResponse list(Principal principal) {
        ArrayNode streams = mapper.createArrayNode();
        for (Stream stream : registry.streams()) {
            if (principal.grant().allows(stream.id())) {
                streams.add(views.view(stream, stream.state()));
            }
        }
        ObjectNode body = mapper.createObjectNode();
        body.set("streams", streams);
        return ok(HttpResponseStatus.OK, body);
    }

    private FullHttpResponse metrics() {
        FullHttpResponse response = HttpResponses.json(HttpResponseStatus.OK,
                metricsScrape.get().getBytes(StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        return response;
    }

    private JsonNode parse(FullHttpRequest request) {
        try (InputStream in = new ByteBufInputStream(request.content())) {
            return request.content().isReadable() ? mapper.readTree(in) : mapper.createObjectNode();
        } catch (JsonProcessingException e) {
            return null;
        } catch (IOException e) {
            return null;
        }
    }

    private FullHttpResponse ok(HttpResponseStatus status, JsonNode body) {
        try {
            return HttpResponses.json(status, mapper.writeValueAsBytes(body));
        } catch (JsonProcessingException e) {
            return serverError(e);
        }
    }

    private FullHttpResponse invalid(FieldErrors errors) {
        ObjectNode body = mapper.createObjectNode()
                .put("error_code", "INVALID_REQUEST")
                .put("error_message", errors.summary());
        ArrayNode details = body.putArray("errors");
        errors.list().forEach(e -> details.addObject().put("field", e.field()).put("message", e.message()));
        return ok(HttpResponseStatus.BAD_REQUEST, body);
    }

    private static FullHttpResponse notFound(String streamId) {
        return error(HttpResponseStatus.NOT_FOUND, ErrorCode.STREAM_NOT_FOUND.wireName(), "no stream " + streamId + " is registered");
    }

    private static FullHttpResponse methodNotAllowed(HttpMethod... allowed) {
        FullHttpResponse response = error(HttpResponseStatus.METHOD_NOT_ALLOWED, "METHOD_NOT_ALLOWED", "method not allowed here");
        response.headers().set(HttpHeaderNames.ALLOW, String.join(", ", java.util.Arrays.stream(allowed).map(HttpMethod::name).toList()));
        return response;
    }

    private static FullHttpResponse serverError(Throwable cause) {
        log.error("broadcaster request failed", cause);
        return error(HttpResponseStatus.INTERNAL_SERVER_ERROR, ErrorCode.SERVER_ERROR.wireName(), "internal error");
    }

    private static FullHttpResponse error(HttpResponseStatus status, String code, String message) {
        return HttpResponses.error(status, code, message);
    }

    private static void respond(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response) {
        try {
            boolean keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(request);
            io.netty.handler.codec.http.HttpUtil.setKeepAlive(response, keepAlive);
            if (keepAlive) {
                ctx.writeAndFlush(response, ctx.voidPromise());
            } else {
                ctx.writeAndFlush(response).addListener(io.netty.channel.ChannelFutureListener.CLOSE);
            }
        } finally {
            request.release();
        }
    }
}
