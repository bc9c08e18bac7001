package io.nova.fanout.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.nova.fanout.protocol.CloseCodes;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.auth.StreamGrant;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.StreamEventBus;
import io.nova.fanout.server.fanout.StreamFrame;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamMetadata;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class IngestHandlerTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2025-10-21T10:30:45.123Z"), ZoneOffset.UTC);
    private static final StreamMetadata METADATA = new StreamMetadata("user-123", "Streamer123", "Live", "", "1080p",
            60, 5000);

    private final ObjectMapper mapper = BroadcasterApiContext.newObjectMapper();
    private final List<Long> published = Collections.synchronizedList(new ArrayList<>());
    private DefaultEventLoopGroup group;
    private StreamRegistry registry;
    private EmbeddedChannel channel;

    @BeforeEach
    void setUp() throws Exception {
        group = new DefaultEventLoopGroup(2);
        StreamEventBus bus = (StreamFrame event) -> {
            published.add(event.seq());
            event.frame().release();
        };
        registry = new StreamRegistry(group, new FramePreEncoder(new ProtocolCodec(), UnpooledByteBufAllocator.DEFAULT),
                bus, CLOCK, 1024, Duration.ofHours(1), 0, Duration.ofMinutes(5));
        // Two streams, homed on different loops by the round robin.
        for (String id : List.of("s1", "s2")) {
            await(registry.register(id, METADATA));
            await(registry.apply(id, List.of(new StreamChange.Start())));
        }
        assertThat(registry.find("s1").orElseThrow().home()).isNotSameAs(registry.find("s2").orElseThrow().home());
        channel = ingest(StreamGrant.any());
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            channel.finishAndReleaseAll();
        } finally {
            registry.close();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    private EmbeddedChannel ingest(StreamGrant grant) {
        return new EmbeddedChannel(new IngestHandler(registry, mapper, new Principal("broadcaster-1", grant, true,
                CLOCK.instant().plus(Duration.ofHours(1)))));
    }

    private static StreamOutcome await(Future<StreamOutcome> future) throws InterruptedException {
        assertThat(future.await(5, TimeUnit.SECONDS)).isTrue();
        return future.getNow();
    }

    private static String bitrate(String streamId, int kbps) {
        return "{\"stream_id\":\"" + streamId + "\",\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":"
                + kbps + "}}";
    }

    /** Holds one registry loop in a task until the returned latch is counted down. */
    private static CountDownLatch hold(EventExecutor loop) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(1);
        loop.execute(() -> {
            held.countDown();
            try {
                release.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    /**
     * Sends every message while the registry's loops are held, so all of them are in flight at once, then
     * lets the loops go one after the other. The embedded channel's loop claims every thread as its own, so
     * answers are written on whichever registry thread completes them; letting both loops run at once would
     * make two threads write to the embedded channel together, which a real channel never sees.
     */
    private List<JsonNode> exchange(EmbeddedChannel ch, String... messages) throws Exception {
        List<EventExecutor> loops = new ArrayList<>();
        List<CountDownLatch> releases = new ArrayList<>();
        try {
            for (EventExecutor loop : group) {
                loops.add(loop);
                releases.add(hold(loop));
            }
            for (String message : messages) {
                ch.writeInbound(new TextWebSocketFrame(message));
            }
        } finally {
            for (int i = releases.size() - 1; i >= 0; i--) {
                releases.get(i).countDown();
                assertThat(loops.get(i).submit(() -> { }).await(5, TimeUnit.SECONDS)).isTrue();
            }
        }
        return answers(ch, messages.length);
    }

    private List<JsonNode> answers(EmbeddedChannel ch, int expected) throws Exception {
        List<JsonNode> answers = new ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (answers.size() < expected) {
            for (EventExecutor loop : group) {
                assertThat(loop.submit(() -> { }).await(2, TimeUnit.SECONDS)).isTrue();
            }
            ch.runPendingTasks();
            Object out;
            while ((out = ch.readOutbound()) != null) {
                assertThat(out).isInstanceOf(TextWebSocketFrame.class);
                TextWebSocketFrame frame = (TextWebSocketFrame) out;
                try {
                    answers.add(mapper.readTree(frame.text()));
                } finally {
                    frame.release();
                }
            }
            assertThat(System.nanoTime()).as("%d answers within 2 s, got %s", expected, answers).isLessThan(deadline);
        }
        assertThat(answers).hasSize(expected);
        return answers;
    }

    private static void assertSuccess(JsonNode answer, long seq) {
        assertThat(answer.path("success").asBoolean()).as(answer.toString()).isTrue();
        assertThat(answer.path("seq").asLong()).as(answer.toString()).isEqualTo(seq);
    }

    private static void assertFailure(JsonNode answer, String error) {
        assertThat(answer.path("success").isBoolean()).as(answer.toString()).isTrue();
        assertThat(answer.path("success").asBoolean()).as(answer.toString()).isFalse();
        assertThat(answer.path("error").asText()).isEqualTo(error);
    }

    @Test
    void answersEachEventWithItsSeq() throws Exception {
        List<JsonNode> answers = exchange(channel, bitrate("s1", 4000));
        assertSuccess(answers.get(0), 2);
        assertThat(published).contains(2L);
    }

    @Test
    void answersLeaveInRequestOrderAcrossStreamsAndImmediateRefusals() throws Exception {
        List<JsonNode> answers = exchange(channel,
                bitrate("s1", 1),
                "not json",
                bitrate("s2", 1),
                bitrate("nope", 1),
                bitrate("s1", 2),
                bitrate("s2", 2));

        assertSuccess(answers.get(0), 2);
        assertFailure(answers.get(1), "invalid JSON");
        assertSuccess(answers.get(2), 2);
        assertFailure(answers.get(3), "no stream nope is registered");
        assertSuccess(answers.get(4), 3);
        assertSuccess(answers.get(5), 3);
    }

    @Test
    void invalidEventsAreAnsweredWithEveryFieldError() throws Exception {
        List<JsonNode> answers = exchange(channel,
                "{\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":1}}",
                "{\"stream_id\":\"a b\",\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":1}}",
                "{\"stream_id\":\"s1\",\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":-1,\"health\":\"good\"}}",
                "{\"stream_id\":\"s1\",\"event\":\"stream_started\",\"data\":{}}",
                "[1]");

        String badId = "stream_id: expected a stream id matching [A-Za-z0-9._-]{1,128}";
        assertFailure(answers.get(0), badId);
        assertFailure(answers.get(1), badId);
        assertFailure(answers.get(2), "data.health: set by the server; do not send it; "
                + "data.current_bitrate_kbps: expected an integer in 0..1000000");
        assertFailure(answers.get(3), "event: expected one of quality_changed, bitrate_update, error");
        assertFailure(answers.get(4), badId + "; body: expected a JSON object");
        assertThat(published).as("only the two stream_started of the setup").hasSize(2);
    }

    @Test
    void refusesStreamsOutsideTheGrant() throws Exception {
        EmbeddedChannel limited = ingest(StreamGrant.of(List.of("s1")));
        try {
            List<JsonNode> answers = exchange(limited, bitrate("s2", 1), bitrate("s1", 1));
            assertFailure(answers.get(0), "token does not grant stream s2");
            assertSuccess(answers.get(1), 2);
        } finally {
            assertThat(limited.finishAndReleaseAll()).isFalse();
        }
    }

    @Test
    void reportsRefusalsOfTheRegistry() throws Exception {
        await(registry.apply("s1", List.of(new StreamChange.End(EndReason.BROADCASTER_ENDED))));
        List<JsonNode> answers = exchange(channel,
                bitrate("s1", 1),
                "{\"stream_id\":\"s2\",\"event\":\"error\",\"data\":{\"error_code\":\"SERVER_ERROR\",\"error_message\":\""
                        + "x".repeat(2000) + "\",\"severity\":\"error\",\"recoverable\":false}}");
        assertFailure(answers.get(0), "stream s1 has ended");
        assertThat(answers.get(1).path("success").asBoolean()).isFalse();
        assertThat(answers.get(1).path("error").asText()).startsWith("error encodes to ").endsWith("(expected: <= 1024)");
    }

    @Test
    void stopsReadingWhileTooManyAnswersArePending() throws Exception {
        CountDownLatch release = hold(registry.find("s1").orElseThrow().home());
        try {
            for (int i = 0; i < 1023; i++) {
                channel.writeInbound(new TextWebSocketFrame(bitrate("s1", i)));
            }
            assertThat(channel.config().isAutoRead()).isTrue();
            channel.writeInbound(new TextWebSocketFrame(bitrate("s1", 1023)));
            assertThat(channel.config().isAutoRead()).as("paused at 1024 in flight").isFalse();
        } finally {
            release.countDown();
        }
        List<JsonNode> answers = answers(channel, 1024);
        for (int i = 0; i < answers.size(); i++) {
            assertSuccess(answers.get(i), 2 + i);
        }
        assertThat(channel.config().isAutoRead()).as("reading resumes once answered").isTrue();
    }

    @Test
    void binaryFramesCloseTheSocket() {
        BinaryWebSocketFrame binary = new BinaryWebSocketFrame(Unpooled.copiedBuffer("{}", StandardCharsets.UTF_8));
        channel.writeInbound(binary);

        assertThat(binary.refCnt()).isZero();
        CloseWebSocketFrame close = channel.readOutbound();
        try {
            assertThat(close.statusCode()).isEqualTo(CloseCodes.UNSUPPORTED_DATA);
            assertThat(close.reasonText()).isEqualTo("send events as text frames");
        } finally {
            close.release();
        }
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void inboundFramesAreReleased() throws Exception {
        TextWebSocketFrame frame = new TextWebSocketFrame(bitrate("s1", 1));
        CountDownLatch release = hold(registry.find("s1").orElseThrow().home());
        try {
            channel.writeInbound(frame);
        } finally {
            release.countDown();
        }
        assertThat(frame.refCnt()).isZero();
        assertSuccess(answers(channel, 1).get(0), 2);
    }

    @Test
    void otherMessagesPassThrough() {
        Object message = "not a frame";
        channel.writeInbound(message);
        assertThat((Object) channel.readInbound()).isSameAs(message);
    }

    @Test
    void aTooLongMessageClosesWithMessageTooBig() {
        channel.pipeline().fireExceptionCaught(new TooLongFrameException("too long"));

        CloseWebSocketFrame close = channel.readOutbound();
        try {
            assertThat(close.statusCode()).isEqualTo(CloseCodes.MESSAGE_TOO_BIG);
        } finally {
            close.release();
        }
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void otherFailuresCloseTheConnection() {
        channel.pipeline().fireExceptionCaught(new IllegalStateException("boom"));
        assertThat((Object) channel.readOutbound()).isNull();
        assertThat(channel.isOpen()).isFalse();
    }
}
