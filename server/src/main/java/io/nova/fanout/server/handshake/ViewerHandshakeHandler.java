package io.nova.fanout.server.handshake;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ProtocolLimits;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.server.auth.AuthResult;
import io.nova.fanout.server.auth.BearerTokens;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.connect.HttpResponses;
import io.nova.fanout.server.connect.RequestTimeoutHandler;
import io.nova.fanout.server.connect.WebSocketUpgrade;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.ViewerAdmission;
import io.nova.fanout.server.session.ViewerSessions;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamRegistry;
import io.netty.util.concurrent.Future;
import java.util.List;

/**
 * Decides, before any upgrade, whether a request may become a viewer connection: path, version, token,
 * grant, stream and capacity. A refusal is an HTTP response with a JSON body; an admission installs the
 * session's handlers and passes the request on to Netty's WebSocket handshake.
 *
 * <p>A token signed with a key the server has not read yet may wait for one read of the JWKS (see
 * {@link TokenVerifier#verify(String, io.netty.util.concurrent.EventExecutor)}): meanwhile the channel does
 * not read, and the request is held until the verdict, the request timeout or the channel's close.
 */
public final class ViewerHandshakeHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String PATH_PREFIX = "/api/v1/streams/";
    private static final String PATH_SUFFIX = "/ws";
    private static final int RETRY_AFTER_SECONDS = 5;

    private final TokenVerifier tokens;
    private final StreamRegistry streams;
    private final ConnectionLimiter limiter;
    private final ViewerSessions sessions;
    private final NovaMetrics metrics;
    private final AllowedOrigins origins;
    private final HandshakeLog handshakeLog;
    private final String protocolHandlerName;
    /** The request whose token waits for the JWKS, or null; owned by the channel's event loop. */
    private FullHttpRequest waiting;

    /** @param protocolHandlerName the pipeline name of the WebSocket protocol handler behind this one */
    public ViewerHandshakeHandler(TokenVerifier tokens, StreamRegistry streams, ConnectionLimiter limiter,
            ViewerSessions sessions, NovaMetrics metrics, AllowedOrigins origins, HandshakeLog handshakeLog,
            String protocolHandlerName) {
        super(false);
        this.origins = origins;
        this.handshakeLog = handshakeLog;
        this.protocolHandlerName = protocolHandlerName;
        this.tokens = tokens;
        this.streams = streams;
        this.limiter = limiter;
        this.sessions = sessions;
        this.metrics = metrics;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (waiting != null) {
            // Pipelined behind an upgrade request: nothing could answer it in order, and no client does this.
            request.release();
            ctx.close();
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        // The path as sent, not decoded: Netty's WebSocket handler matches the raw URI, and a request whose
        // decoded path alone looks like ours (/api%2Fv1/...) would pass here, be passed over there, and hang.
        // Stream ids never need percent-encoding, so one that has it is malformed.
        String path = uri.rawPath();
        if (!path.startsWith(PATH_PREFIX) || !path.endsWith(PATH_SUFFIX)
                || path.length() < PATH_PREFIX.length() + PATH_SUFFIX.length()) {
            refuse(ctx, request, new Refusal(HttpResponseStatus.NOT_FOUND, "NOT_FOUND", "no such endpoint", null, null));
            return;
        }
        String streamId = path.substring(PATH_PREFIX.length(), path.length() - PATH_SUFFIX.length());
        Refusal early = beforeToken(request, uri, streamId);
        if (early != null) {
            refuse(ctx, request, early);
            return;
        }
        Future<AuthResult> auth = tokens.verify(token(uri, request.headers()), ctx.executor());
        if (auth.isDone()) {
            afterToken(ctx, request, streamId, auth.getNow());
            return;
        }
        waiting = request;
        ctx.channel().config().setAutoRead(false);
        auth.addListener(done -> resume(ctx, request, streamId, done));
    }

    private void resume(ChannelHandlerContext ctx, FullHttpRequest request, String streamId, Future<?> done) {
        if (waiting != request) {
            return; // Dropped (and released) meanwhile: the channel closed or its request timed out.
        }
        waiting = null;
        ctx.channel().config().setAutoRead(true);
        if (!done.isSuccess() || !ctx.channel().isActive()) {
            request.release();
            ctx.close();
            return;
        }
        afterToken(ctx, request, streamId, (AuthResult) done.getNow());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == RequestTimeoutHandler.Expired.INSTANCE) {
            dropWaiting();
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        dropWaiting();
    }

    private void dropWaiting() {
        if (waiting != null) {
            waiting.release();
            waiting = null;
        }
    }

    private void afterToken(ChannelHandlerContext ctx, FullHttpRequest request, String streamId, AuthResult auth) {
        Object verdict = admit(request, streamId, auth);
        if (verdict instanceof Refusal refusal) {
            refuse(ctx, request, refusal);
            return;
        }
        if (!limiter.tryAcquire()) {
            refuse(ctx, request, new Refusal(HttpResponseStatus.SERVICE_UNAVAILABLE, ErrorCode.SERVER_ERROR.wireName(),
                    "server is at its connection limit; retry later", HttpHeaderNames.RETRY_AFTER, RETRY_AFTER_SECONDS));
            return;
        }
        ctx.channel().closeFuture().addListener(f -> limiter.release());
        ViewerAdmission admission = (ViewerAdmission) verdict;
        metrics.handshake("accepted");
        handshakeLog.accepted(ctx.channel(), streamId, admission.viewerId());
        sessions.install(ctx.pipeline(), protocolHandlerName, admission);
        RequestTimeoutHandler.removeFrom(ctx.pipeline());
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(request);
    }

    /** @return the {@link Refusal} to send before the token is looked at, or null */
    private Refusal beforeToken(FullHttpRequest request, QueryStringDecoder uri, String streamId) {
        HttpHeaders headers = request.headers();
        if (!HttpMethod.GET.equals(request.method())) {
            return new Refusal(HttpResponseStatus.METHOD_NOT_ALLOWED, ErrorCode.PROTOCOL_ERROR.wireName(),
                    "the viewer endpoint only accepts GET", HttpHeaderNames.ALLOW, HttpMethod.GET);
        }
        if (!ProtocolLimits.isValidStreamId(streamId)) {
            return error(HttpResponseStatus.BAD_REQUEST, ErrorCode.PROTOCOL_ERROR,
                    "malformed stream id (expected: " + ProtocolLimits.STREAM_ID_REGEX + ")");
        }
        // Before the token is looked at: a page of a foreign site learns nothing about it.
        if (!origins.allows(headers.get(HttpHeaderNames.ORIGIN))) {
            return error(HttpResponseStatus.FORBIDDEN, ErrorCode.UNAUTHORIZED, "origin not allowed");
        }
        String version = first(uri, "protocol");
        if (version != null && !ProtocolLimits.PROTOCOL_VERSION.equals(version)) {
            return error(HttpResponseStatus.BAD_REQUEST, ErrorCode.PROTOCOL_ERROR,
                    "unsupported protocol version (supported: " + ProtocolLimits.PROTOCOL_VERSION + ")");
        }
        return null;
    }

    /** @return a {@link ViewerAdmission}, or the {@link Refusal} to send */
    private Object admit(FullHttpRequest request, String streamId, AuthResult auth) {
        if (!(auth instanceof AuthResult.Authenticated authenticated)) {
            // One message for every failed check: which one failed is nobody's business but ours.
            return error(HttpResponseStatus.UNAUTHORIZED, ErrorCode.CONNECTION_REJECTED, "invalid or expired token");
        }
        Principal principal = authenticated.principal();
        if (!principal.grant().allows(streamId)) {
            return error(HttpResponseStatus.FORBIDDEN, ErrorCode.UNAUTHORIZED, "token does not grant this stream");
        }
        Stream stream = streams.find(streamId).orElse(null);
        if (stream == null) {
            return error(HttpResponseStatus.NOT_FOUND, ErrorCode.STREAM_NOT_FOUND, "no such stream");
        }
        if (stream.state().status() == StreamStatus.ENDED) {
            return error(HttpResponseStatus.GONE, ErrorCode.STREAM_ENDED, "the stream has ended");
        }
        // Last, so that a plain GET of the same URL gets the refusal an upgrade would: a browser never
        // shows a script why its upgrade was refused, so the JS client asks this way.
        WebSocketUpgrade upgrade = WebSocketUpgrade.of(request);
        if (upgrade != WebSocketUpgrade.VALID) {
            return new Refusal(HttpResponseStatus.BAD_REQUEST, ErrorCode.PROTOCOL_ERROR.wireName(), upgrade.problem(),
                    HttpHeaderNames.SEC_WEBSOCKET_VERSION, WebSocketUpgrade.SUPPORTED_VERSION);
        }
        return new ViewerAdmission(stream, principal.subject(), principal.expiresAt());
    }

    private static String token(QueryStringDecoder uri, HttpHeaders headers) {
        String token = first(uri, "token");
        if (token != null) {
            return token;
        }
        return BearerTokens.from(headers);
    }

    private static String first(QueryStringDecoder uri, String name) {
        List<String> values = uri.parameters().get(name);
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    private static Refusal error(HttpResponseStatus status, ErrorCode code, String message) {
        return new Refusal(status, code.wireName(), message, null, null);
    }

    private void refuse(ChannelHandlerContext ctx, FullHttpRequest request, Refusal refusal) {
        metrics.handshake(refusal.code());
        handshakeLog.refused(ctx.channel(), refusal.status().code(), refusal.code(), refusal.message());
        try {
            HttpResponses.send(ctx, request, refusal.toResponse());
        } finally {
            request.release();
        }
    }

    /** A refusal before the upgrade; {@code header} is an optional extra response header. */
    private record Refusal(HttpResponseStatus status, String code, String message, CharSequence header, Object headerValue) {
        FullHttpResponse toResponse() {
            FullHttpResponse response = HttpResponses.error(status, code, message);
            if (header != null) {
                response.headers().set(header, headerValue);
            }
            // Readable by a player's page on another origin, which asks why its upgrade was refused.
            response.headers().set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            return response;
        }
    }
}
