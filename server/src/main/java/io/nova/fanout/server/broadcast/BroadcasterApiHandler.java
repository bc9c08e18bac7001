package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.PromiseNotifier;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ProtocolLimits;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.connect.HttpResponses;
import io.nova.fanout.server.connect.WebSocketUpgrade;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broadcaster's HTTP API on the internal port. Pipelined requests are answered in the order they
 * arrived, although each stream's changes complete on that stream's own event loop; and they take effect in
 * that order, although a token whose key the server has not read yet waits for one read of the JWKS.
 */
public final class BroadcasterApiHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(BroadcasterApiHandler.class);
    private static final String STREAMS = "/internal/v1/streams";
    static final String INGEST = "/internal/v1/ingest";
    private static final Set<String> ACTIONS = Set.of("", "start", "events", "end");
    /** Pipelined requests beyond this many unanswered ones wait in the socket. */
    private static final int MAX_IN_FLIGHT = 16;

    private final StreamRegistry registry;
    private final BroadcasterAuth auth;
    private final ObjectMapper mapper;
    private final StreamViews views;
    private final Supplier<String> metricsScrape;
    private final Supplier<JsonNode> status;
    private final IngestSessions ingest;
    private final int maxFrameBytes;
    private final ArrayDeque<Boolean> keepAlive = new ArrayDeque<>();
    private InOrderReplies<FullHttpResponse> replies;
    /** The verdict of the latest request, which the next one's waits for; owned by the channel's event loop. */
    private Future<BroadcasterAuth.Verdict> lastVerdict;
    /** An ingest upgrade whose token waits for the JWKS, or null. */
    private FullHttpRequest waitingIngest;

    public BroadcasterApiHandler(StreamRegistry registry, BroadcasterApiContext context) {
        super(false);
        this.registry = registry;
        this.auth = new BroadcasterAuth(context.tokens());
        this.mapper = context.mapper();
        this.views = new StreamViews(context.mapper(), context.clock());
        this.metricsScrape = context.metricsScrape();
        this.status = context.status();
        this.ingest = new IngestSessions(registry, context.mapper());
        this.maxFrameBytes = context.maxFrameBytes();
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        replies = new InOrderReplies<>(ctx, MAX_IN_FLIGHT, this::write, BroadcasterApiHandler::serverError);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (waitingIngest != null) {
            waitingIngest.release();
            waitingIngest = null;
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (waitingIngest != null) {
            // Pipelined behind an ingest upgrade: nothing could answer it in order, and no client does this.
            request.release();
            ctx.close();
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        // An empty reply queue also means that no earlier request still waits for its verdict.
        if (path.equals(INGEST) && replies.isEmpty() && WebSocketUpgrade.of(request) == WebSocketUpgrade.VALID) {
            Future<BroadcasterAuth.Verdict> verdict = auth.check(request.headers(), ctx.executor());
            if (!verdict.isDone()) {
                waitingIngest = request;
                ctx.channel().config().setAutoRead(false);
                verdict.addListener(done -> resumeIngest(ctx, request, path, verdict));
                return;
            }
            if (!upgradeIfAllowed(ctx, request, verdict)) {
                answer(ctx, request, path, verdict);
            }
            return;
        }
        answer(ctx, request, path, null);
    }

    private void resumeIngest(ChannelHandlerContext ctx, FullHttpRequest request, String path,
            Future<BroadcasterAuth.Verdict> verdict) {
        if (waitingIngest != request) {
            return; // The channel closed meanwhile, and the request was released.
        }
        waitingIngest = null;
        ctx.channel().config().setAutoRead(true);
        if (!ctx.channel().isActive()) {
            request.release();
            return;
        }
        if (!upgradeIfAllowed(ctx, request, verdict)) {
            answer(ctx, request, path, verdict);
        }
    }

    /** Takes ownership of {@code request} and returns true if {@code verdict} allows the ingest upgrade. */
    private boolean upgradeIfAllowed(ChannelHandlerContext ctx, FullHttpRequest request,
            Future<BroadcasterAuth.Verdict> verdict) {
        if (!verdict.isSuccess() || !verdict.getNow().allowed()) {
            return false;
        }
        ingest.upgrade(ctx, request, verdict.getNow().principal(), maxFrameBytes);
        return true;
    }

    /** Queues the reply to {@code request}, checking its token unless {@code verdict} already did; releases it. */
    private void answer(ChannelHandlerContext ctx, FullHttpRequest request, String path,
            Future<BroadcasterAuth.Verdict> verdict) {
        try {
            keepAlive.add(HttpUtil.isKeepAlive(request));
            replies.add(handle(ctx, request, path, verdict));
        } finally {
            request.release();
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof java.io.IOException) {
            log.debug("broadcaster connection failed: {}", cause.toString());
        } else {
            log.warn("broadcaster connection failed", cause);
        }
        ctx.close();
    }

    private Future<FullHttpResponse> handle(ChannelHandlerContext ctx, FullHttpRequest request, String path,
            Future<BroadcasterAuth.Verdict> known) {
        if (path.equals("/metrics")) {
            return now(HttpMethod.GET.equals(request.method()) ? metrics() : methodNotAllowed(HttpMethod.GET));
        }
        if (path.equals("/status")) {
            return now(HttpMethod.GET.equals(request.method()) ? ok(HttpResponseStatus.OK, status.get())
                    : methodNotAllowed(HttpMethod.GET));
        }
        boolean streamsPath = path.equals(STREAMS) || path.startsWith(STREAMS + "/");
        if (!streamsPath && !path.equals(INGEST)) {
            return now(error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such endpoint"));
        }
        Future<BroadcasterAuth.Verdict> verdict = known != null ? known
                : inRequestOrder(ctx, auth.check(request.headers(), ctx.executor()));
        if (verdict.isDone()) {
            return afterAuth(request, path, streamsPath, verdict);
        }
        // The body is read when the verdict comes, after the caller has released its reference.
        request.retain();
        Promise<FullHttpResponse> response = ctx.executor().newPromise();
        verdict.addListener(done -> {
            try {
                PromiseNotifier.cascade(afterAuth(request, path, streamsPath, verdict), response);
            } catch (RuntimeException e) {
                response.tryFailure(e);
            } finally {
                request.release();
            }
        });
        return response;
    }

    /**
     * {@code own}, or a future of it completed only after the previous request's verdict and that verdict's
     * own listeners (its request's effects): a request whose token waited for keys must not let the next
     * one, say a {@code start} behind its {@code PUT}, overtake it.
     */
    private Future<BroadcasterAuth.Verdict> inRequestOrder(ChannelHandlerContext ctx, Future<BroadcasterAuth.Verdict> own) {
        Future<BroadcasterAuth.Verdict> previous = lastVerdict;
        Future<BroadcasterAuth.Verdict> ordered = own;
        if (previous != null && !previous.isDone()) {
            Promise<BroadcasterAuth.Verdict> after = ctx.executor().newPromise();
            previous.addListener(done -> PromiseNotifier.cascade(own, after));
            ordered = after;
        }
        lastVerdict = ordered;
        return ordered;
    }

    private Future<FullHttpResponse> afterAuth(FullHttpRequest request, String path, boolean streamsPath,
            Future<BroadcasterAuth.Verdict> outcome) {
        if (!outcome.isSuccess()) {
            return ImmediateEventExecutor.INSTANCE.newFailedFuture(outcome.cause());
        }
        BroadcasterAuth.Verdict verdict = outcome.getNow();
        if (!verdict.allowed()) {
            return now(error(verdict.status(), verdict.code().wireName(), verdict.message()));
        }
        if (!streamsPath) {
            WebSocketUpgrade upgrade = WebSocketUpgrade.of(request);
            if (upgrade != WebSocketUpgrade.VALID) {
                FullHttpResponse refusal = error(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST", upgrade.problem());
                refusal.headers().set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, WebSocketUpgrade.SUPPORTED_VERSION);
                return now(refusal);
            }
            return now(error(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST",
                    "an ingest upgrade must not follow unanswered requests on the same connection"));
        }
        return route(request, path.substring(STREAMS.length()), verdict.principal());
    }

    private Future<FullHttpResponse> route(FullHttpRequest request, String rest, Principal principal) {
        HttpMethod method = request.method();
        if (rest.isEmpty() || rest.equals("/")) {
            return now(HttpMethod.GET.equals(method) ? list(principal) : methodNotAllowed(HttpMethod.GET));
        }
        String[] parts = rest.substring(1).split("/", -1);
        String streamId = parts[0];
        String action = parts.length == 2 && !parts[1].isEmpty() ? parts[1] : parts.length == 1 ? "" : null;
        if (action == null || !ACTIONS.contains(action)) {
            return now(error(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such endpoint"));
        }
        HttpMethod expected = action.isEmpty() ? (HttpMethod.PUT.equals(method) ? HttpMethod.PUT : HttpMethod.GET) : HttpMethod.POST;
        if (!expected.equals(method)) {
            return now(action.isEmpty() ? methodNotAllowed(HttpMethod.GET, HttpMethod.PUT) : methodNotAllowed(HttpMethod.POST));
        }
        if (!ProtocolLimits.isValidStreamId(streamId)) {
            return now(error(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST",
                    "malformed stream id (expected: " + ProtocolLimits.STREAM_ID_REGEX + ")"));
        }
        if (!principal.grant().allows(streamId)) {
            return now(error(HttpResponseStatus.FORBIDDEN, ErrorCode.UNAUTHORIZED.wireName(),
                    "token does not grant stream " + streamId));
        }
        if (HttpMethod.GET.equals(method)) {
            return now(registry.find(streamId)
                    .map(stream -> ok(HttpResponseStatus.OK, views.view(stream, stream.state())))
                    .orElseGet(() -> notFound(streamId)));
        }
        JsonNode body = action.equals("start") ? mapper.createObjectNode() : parse(request);
        if (body == null) {
            return now(error(HttpResponseStatus.BAD_REQUEST, "INVALID_REQUEST", "body is not valid JSON"));
        }
        FieldErrors errors = new FieldErrors();
        Future<StreamOutcome> outcome = submit(action, streamId, body, errors);
        if (outcome == null) {
            return now(invalid(errors));
        }
        Promise<FullHttpResponse> response = ImmediateEventExecutor.INSTANCE.newPromise();
        outcome.addListener((Future<StreamOutcome> done) -> {
            if (done.isSuccess()) {
                response.setSuccess(answer(streamId, action, done.getNow()));
            } else {
                response.setFailure(done.cause());
            }
        });
        return response;
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
                return reason == null || !errors.isEmpty() ? null : registry.apply(streamId, List.of(new StreamChange.End(reason)));
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

    private void write(ChannelHandlerContext ctx, FullHttpResponse response) {
        boolean keep = Boolean.TRUE.equals(keepAlive.poll());
        HttpUtil.setKeepAlive(response, keep);
        if (keep) {
            ctx.write(response, ctx.voidPromise());
        } else {
            ctx.write(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static Future<FullHttpResponse> now(FullHttpResponse response) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(response);
    }
}
