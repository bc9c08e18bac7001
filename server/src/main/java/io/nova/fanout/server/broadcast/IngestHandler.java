package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.nova.fanout.protocol.CloseCodes;
import io.nova.fanout.protocol.ProtocolLimits;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Set;

/**
 * The ingest WebSocket: one event per message, each naming its stream, each answered in order with
 * {@code {"success": true, "seq": n}} or {@code {"success": false, "error": "..."}}, in the order sent,
 * although events for different streams complete on different event loops.
 */
final class IngestHandler extends ChannelInboundHandlerAdapter {
    /** Beyond this many unanswered events the handler stops reading until answers catch up. */
    private static final int MAX_IN_FLIGHT = 1024;

    private final StreamRegistry registry;
    private final ObjectMapper mapper;
    private final Principal principal;
    private InOrderReplies<ObjectNode> answers;

    IngestHandler(StreamRegistry registry, ObjectMapper mapper, Principal principal) {
        this.registry = registry;
        this.mapper = mapper;
        this.principal = principal;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        answers = new InOrderReplies<>(ctx, MAX_IN_FLIGHT, this::write,
                cause -> mapper.createObjectNode().put("success", false).put("error", "internal error"));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof WebSocketFrame)) {
            ctx.fireChannelRead(msg);
            return;
        }
        try {
            if (msg instanceof TextWebSocketFrame text) {
                answers.add(handle(ctx, text));
            } else {
                ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.UNSUPPORTED_DATA, "send events as text frames"))
                        .addListener(ChannelFutureListener.CLOSE);
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private Future<ObjectNode> handle(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
        JsonNode node;
        try (InputStream in = new ByteBufInputStream(frame.content())) {
            node = mapper.readTree(in);
        } catch (JsonProcessingException e) {
            return failed("invalid JSON");
        } catch (IOException e) {
            return failed("unreadable message");
        }
        FieldErrors errors = new FieldErrors();
        JsonNode streamIdNode = node == null ? null : node.get("stream_id");
        String streamId = streamIdNode != null && streamIdNode.isTextual() ? streamIdNode.textValue() : null;
        if (streamId == null || !ProtocolLimits.isValidStreamId(streamId)) {
            errors.add("stream_id", "expected a stream id matching " + ProtocolLimits.STREAM_ID_REGEX);
        }
        StreamChange change = BroadcastRequests.event(node, "", Set.of("stream_id"), errors);
        if (!errors.isEmpty()) {
            return failed(errors.summary());
        }
        if (!principal.grant().allows(streamId)) {
            return failed("token does not grant stream " + streamId);
        }
        Promise<ObjectNode> answer = ctx.executor().newPromise();
        registry.apply(streamId, List.of(change)).addListener((Future<StreamOutcome> done) -> {
            if (done.isSuccess()) {
                answer.setSuccess(toAnswer(done.getNow()));
            } else {
                answer.setFailure(done.cause());
            }
        });
        return answer;
    }

    private ObjectNode toAnswer(StreamOutcome outcome) {
        if (outcome instanceof StreamOutcome.Applied applied) {
            return mapper.createObjectNode().put("success", true).put("seq", applied.lastSeq());
        }
        StreamOutcome.Refused refused = (StreamOutcome.Refused) outcome;
        return mapper.createObjectNode().put("success", false).put("error", refused.message());
    }

    private Future<ObjectNode> failed(String error) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(
                mapper.createObjectNode().put("success", false).put("error", error));
    }

    private void write(ChannelHandlerContext ctx, ObjectNode answer) {
        try {
            ctx.write(new TextWebSocketFrame(mapper.writeValueAsString(answer)), ctx.voidPromise());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an ObjectNode always serialises", e);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.MESSAGE_TOO_BIG, "message too large"))
                    .addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }
}
