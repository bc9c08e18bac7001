package io.nova.fanout.server.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.Ping;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.ServerMessage;
import io.nova.fanout.protocol.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FramePreEncoderTest {
    private static final Instant NOW = Instant.parse("2025-10-21T10:30:45.123Z");
    private static final long SEQ = 42;

    private final ProtocolCodec codec = new ProtocolCodec();
    private final FramePreEncoder encoder = new FramePreEncoder(codec, PooledByteBufAllocator.DEFAULT);

    private static ErrorEvent errorWithMessage(String message) {
        return new ErrorEvent(ErrorCode.SERVER_ERROR, message, Severity.WARNING, true, null, null, NOW);
    }

    /** An error event whose encoded payload (with {@link #SEQ}) is exactly {@code payloadBytes} long. */
    private ErrorEvent errorOfPayloadSize(int payloadBytes) {
        int base = codec.encode(errorWithMessage(""), SEQ).length;
        assertThat(payloadBytes).as("smallest error payload").isGreaterThanOrEqualTo(base);
        ErrorEvent event = errorWithMessage("x".repeat(payloadBytes - base));
        assertThat(codec.encode(event, SEQ)).hasSize(payloadBytes);
        return event;
    }

    /** Decodes a frame with Netty's own decoder and checks it is exactly one unmasked, final text frame. */
    private static byte[] decodeSingleTextFrame(ByteBuf frame) {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameDecoder(WebSocketDecoderConfig.newBuilder()
                .expectMaskedFrames(false)
                .maxFramePayloadLength(1 << 20)
                .build()));
        try {
            assertThat(channel.writeInbound(frame.retainedDuplicate())).isTrue();
            Object decoded = channel.readInbound();
            assertThat(decoded).isInstanceOf(TextWebSocketFrame.class);
            TextWebSocketFrame text = (TextWebSocketFrame) decoded;
            try {
                assertThat(text.isFinalFragment()).isTrue();
                assertThat(text.rsv()).isZero();
                return ByteBufUtil.getBytes(text.content());
            } finally {
                text.release();
            }
        } finally {
            assertThat((Object) channel.readInbound()).as("exactly one frame").isNull();
            assertThat(channel.finishAndReleaseAll()).isFalse();
        }
    }

    private static int expectedHeaderLength(int payload) {
        return payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10;
    }

    private void assertValidFrame(ServerMessage message, long seq, byte[] expectedPayload) {
        ByteBuf frame = seq < 0 ? encoder.encode(message) : encoder.encode(message, seq);
        try {
            int payload = expectedPayload.length;
            assertThat(frame.readableBytes()).isEqualTo(expectedHeaderLength(payload) + payload);
            assertThat(frame.getUnsignedByte(frame.readerIndex())).as("FIN + text opcode").isEqualTo((short) 0x81);
            assertThat(frame.getByte(frame.readerIndex() + 1) & 0x80).as("mask bit").isZero();
            assertThat(FramePreEncoder.payloadLength(frame)).isEqualTo(payload);
            assertThat(decodeSingleTextFrame(frame)).isEqualTo(expectedPayload);
            assertThat(frame.refCnt()).as("decoding did not consume the caller's reference").isEqualTo(1);
        } finally {
            frame.release();
        }
    }

    @ParameterizedTest(name = "payload of {0} bytes")
    @ValueSource(ints = {161, 200, 1_000, 65_534, 65_535, 65_536, 65_537, 70_000})
    void encodesAValidUnmaskedFinalTextFrameForEveryLengthForm(int payloadBytes) {
        ErrorEvent event = errorOfPayloadSize(payloadBytes);
        assertValidFrame(event, SEQ, codec.encode(event, SEQ));
    }

    @Test
    void theSmallestErrorEventAlreadyNeedsTheSixteenBitLength() {
        ErrorEvent event = errorWithMessage("");
        byte[] expected = codec.encode(event, SEQ);
        assertThat(expected.length).isBetween(126, 0xFFFF);
        assertValidFrame(event, SEQ, expected);
    }

    /**
     * Only {@code ping} encodes to fewer than 126 bytes; varying the digits of its {@code sequence} and
     * {@code seq} reaches every length from 85 to 122, the longest any message can have in the 7-bit form.
     */
    @Test
    void encodesEveryReachableSevenBitLength() {
        Map<Integer, long[]> byLength = new TreeMap<>();
        long power = 1;
        for (int sequenceDigits = 1; sequenceDigits <= 19; sequenceDigits++, power *= 10) {
            long seqPower = 1;
            for (int seqDigits = 1; seqDigits <= 19; seqDigits++, seqPower *= 10) {
                byLength.putIfAbsent(codec.encode(new Ping(power, NOW), seqPower).length, new long[] {power, seqPower});
            }
        }
        byLength.putIfAbsent(codec.encode(new Ping(Long.MIN_VALUE, NOW), Long.MAX_VALUE).length,
                new long[] {Long.MIN_VALUE, Long.MAX_VALUE});
        assertThat(byLength.keySet()).containsAll(IntStream.rangeClosed(85, 122).boxed().toList());
        assertThat(byLength.keySet()).allSatisfy(length -> assertThat(length).isLessThan(126));
        for (long[] args : byLength.values()) {
            Ping ping = new Ping(args[0], NOW);
            assertValidFrame(ping, args[1], codec.encode(ping, args[1]));
        }
    }

    @Test
    void connectionLevelMessageCarriesNoSeq() {
        Ping ping = new Ping(7, NOW);
        byte[] expected = codec.encode(ping);
        assertThat(new String(expected, StandardCharsets.UTF_8)).doesNotContain("\"seq\"");
        assertValidFrame(ping, -1, expected);
    }

    @Test
    void negativeSeqWritesNone() {
        Ping ping = new Ping(7, NOW);
        ByteBuf frame = encoder.encode(ping, -5);
        try {
            assertThat(decodeSingleTextFrame(frame)).isEqualTo(codec.encode(ping));
        } finally {
            frame.release();
        }
    }

    @Test
    void lengthCountsUtf8BytesNotCharacters() {
        // Two bytes per character: the payload crosses 65535 bytes while the text is far below 65535 characters.
        int base = codec.encode(errorWithMessage(""), SEQ).length;
        String text = "\u00e9".repeat((65_536 - base) / 2 + 1);
        ErrorEvent event = errorWithMessage(text);
        byte[] expected = codec.encode(event, SEQ);
        assertThat(expected.length).isGreaterThan(0xFFFF);
        assertThat(text.length()).isLessThan(0xFFFF - base);
        assertValidFrame(event, SEQ, expected);
    }

    @Test
    void payloadLengthReadsFromTheReaderIndex() {
        ByteBuf frame = encoder.encode(errorOfPayloadSize(300), SEQ);
        try {
            assertThat(frame.readerIndex()).as("header written in the reserved room").isEqualTo(10 - 4);
            assertThat(FramePreEncoder.payloadLength(frame)).isEqualTo(300);
        } finally {
            frame.release();
        }
    }

    @Test
    void worksWithAnUnpooledAllocatorToo() {
        FramePreEncoder unpooled = new FramePreEncoder(codec, UnpooledByteBufAllocator.DEFAULT);
        ErrorEvent event = errorOfPayloadSize(70_000);
        ByteBuf frame = unpooled.encode(event, SEQ);
        try {
            assertThat(FramePreEncoder.payloadLength(frame)).isEqualTo(70_000);
            assertThat(decodeSingleTextFrame(frame)).isEqualTo(codec.encode(event, SEQ));
        } finally {
            frame.release();
        }
    }

    @Test
    void releasesItsBufferWhenEncodingFails() {
        List<ByteBuf> allocated = new ArrayList<>();
        // Buffers that cannot grow past 64 bytes: writing any real message overflows them.
        ByteBufAllocator tiny = new AbstractByteBufAllocator(false) {
            @Override
            protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
                ByteBuf buf = new UnpooledHeapByteBuf(this, Math.min(initialCapacity, 64), 64);
                allocated.add(buf);
                return buf;
            }

            @Override
            protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
                return newHeapBuffer(initialCapacity, maxCapacity);
            }

            @Override
            public boolean isDirectBufferPooled() {
                return false;
            }
        };
        FramePreEncoder failing = new FramePreEncoder(codec, tiny);

        assertThatThrownBy(() -> failing.encode(errorWithMessage("x".repeat(200)), SEQ))
                .isInstanceOf(RuntimeException.class);

        assertThat(allocated).hasSize(1);
        assertThat(allocated.get(0).refCnt()).isZero();
    }
}
