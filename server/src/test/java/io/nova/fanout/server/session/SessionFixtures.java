package io.nova.fanout.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.nova.fanout.protocol.ClientMessage;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.ServerMessage;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.stream.StreamMetadata;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Shared helpers for viewer-side tests: turning what a channel wrote into decoded protocol messages and
 * close frames (releasing every buffer on the way), a clock the test moves, and the usual collaborators.
 */
public final class SessionFixtures {
    public static final Instant NOW = Instant.parse("2025-10-21T10:30:45.123Z");
    public static final ProtocolCodec CODEC = new ProtocolCodec();
    /** The secret of the tokens session tests mint and verify. */
    public static final byte[] TOKEN_SECRET = "session-fixtures-token-secret-0123456789".getBytes(StandardCharsets.US_ASCII);

    private SessionFixtures() {
    }

    /** Something a viewer received: a protocol message (with its envelope seq, if any) or a close frame. */
    public sealed interface Received permits Message, Close {
    }

    public record Message(ServerMessage message, OptionalLong seq) implements Received {
        public <T extends ServerMessage> T as(Class<T> type) {
            assertThat(message).isInstanceOf(type);
            return type.cast(message);
        }
    }

    public record Close(int code, String reason) implements Received {
    }

    /** Unpooled, so a released frame stays released: a pooled one may be recycled as a later frame. */
    public static FramePreEncoder encoder() {
        return new FramePreEncoder(CODEC, UnpooledByteBufAllocator.DEFAULT);
    }

    /** Metrics bound to the given registry, so tests can read the counters back. */
    public static NovaMetrics metrics(MeterRegistry registry) {
        NovaMetrics metrics = new NovaMetrics(() -> 0, () -> 0);
        metrics.bindTo(registry);
        return metrics;
    }

    public static NovaMetrics metrics() {
        return metrics(new SimpleMeterRegistry());
    }

    public static StreamMetadata metadata() {
        return new StreamMetadata("user-123", "Streamer123", "Live Gaming Session",
                "Playing competitive games with viewers", "1080p", 60, 5000);
    }

    /** Runs the loop's queued tasks, then returns the (completed, successful) future's result. */
    public static <T> T await(EmbeddedChannel loopOwner, Future<T> future) {
        loopOwner.runPendingTasks();
        assertThat(future.isDone()).as("future completed after running the loop's tasks").isTrue();
        assertThat(future.cause()).isNull();
        return future.getNow();
    }

    /** Reads (and releases) every message the channel has flushed so far. */
    public static List<Received> drainOutbound(EmbeddedChannel channel) {
        List<Received> received = new ArrayList<>();
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            received.add(decodeOutbound(msg));
        }
        return received;
    }

    /** Only the protocol messages of {@link #drainOutbound}; fails if a close frame was among them. */
    public static List<Message> drainMessages(EmbeddedChannel channel) {
        List<Message> messages = new ArrayList<>();
        for (Received r : drainOutbound(channel)) {
            assertThat(r).isInstanceOf(Message.class);
            messages.add((Message) r);
        }
        return messages;
    }

    /**
     * Decodes and releases one outbound message: a pre-encoded frame ({@link FramePreEncoder}) or a
     * {@link CloseWebSocketFrame}.
     */
    public static Received decodeOutbound(Object msg) {
        try {
            if (msg instanceof CloseWebSocketFrame close) {
                return new Close(close.statusCode(), close.reasonText());
            }
            assertThat(msg).as("outbound message").isInstanceOf(ByteBuf.class);
            ByteBuf frame = (ByteBuf) msg;
            int payload = FramePreEncoder.payloadLength(frame);
            assertThat(frame.getUnsignedByte(frame.readerIndex())).as("FIN | text opcode").isEqualTo((short) 0x81);
            int header = frame.readableBytes() - payload;
            assertThat(header).as("header length").isIn(2, 4, 10);
            byte[] json = ByteBufUtil.getBytes(frame, frame.readerIndex() + header, payload);
            return decodeJson(json);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    /**
     * Splits raw server-to-client WebSocket bytes (unmasked, FIN frames) into text messages and close
     * frames. Does not release {@code wire}.
     */
    public static List<Received> decodeWire(ByteBuf wire) {
        List<Received> received = new ArrayList<>();
        ByteBuf in = wire.duplicate();
        while (in.isReadable()) {
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            assertThat(first & 0x80).as("FIN").isNotZero();
            assertThat(second & 0x80).as("server frames are not masked").isZero();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            byte[] payload = new byte[(int) length];
            in.readBytes(payload);
            int opcode = first & 0x0F;
            if (opcode == 0x1) {
                received.add(decodeJson(payload));
            } else if (opcode == 0x8) {
                int code = ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
                received.add(new Close(code, new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8)));
            } else {
                throw new AssertionError("unexpected opcode " + opcode);
            }
        }
        return received;
    }

    private static Message decodeJson(byte[] json) {
        DecodeResult<ServerMessage> result = CODEC.decodeServerMessage(json);
        assertThat(result).as("decoding %s", new String(json, StandardCharsets.UTF_8))
                .isInstanceOf(DecodeResult.Decoded.class);
        DecodeResult.Decoded<ServerMessage> decoded = (DecodeResult.Decoded<ServerMessage>) result;
        return new Message(decoded.message(), decoded.seq());
    }

    /** A text frame as a viewer would send it. */
    public static TextWebSocketFrame text(ClientMessage message) {
        return new TextWebSocketFrame(Unpooled.wrappedBuffer(CODEC.encode(message)));
    }

    public static TextWebSocketFrame text(String json) {
        return new TextWebSocketFrame(json);
    }

    /** The reason {@link ProtocolCodec} gives for refusing {@code json}. */
    public static String invalidReason(String json) {
        DecodeResult<ClientMessage> result = CODEC.decodeClientMessage(json.getBytes(StandardCharsets.UTF_8));
        assertThat(result).isInstanceOf(DecodeResult.Invalid.class);
        return ((DecodeResult.Invalid<ClientMessage>) result).reason();
    }

    /** A {@link ViewerIssueLog} writing to a private logback context, so tests read back what it logged. */
    public static final class CapturedIssueLog {
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        private final ViewerIssueLog issueLog;

        public CapturedIssueLog(Level level) {
            LoggerContext context = new LoggerContext();
            Logger logger = context.getLogger("nova.viewer.issues");
            logger.setLevel(level);
            appender.setContext(context);
            appender.start();
            logger.addAppender(appender);
            issueLog = new ViewerIssueLog(logger);
        }

        public ViewerIssueLog issueLog() {
            return issueLog;
        }

        public List<String> lines() {
            List<String> lines = new ArrayList<>();
            for (ILoggingEvent event : appender.list) {
                assertThat(event.getLevel()).isEqualTo(Level.INFO);
                lines.add(event.getFormattedMessage());
            }
            return lines;
        }
    }

    /** A clock the test moves by hand. */
    public static final class MutableClock extends Clock {
        private Instant now;

        public MutableClock(Instant start) {
            this.now = start;
        }

        public void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
