package io.nova.fanout.loadtest.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.StreamHealth;
import io.nova.fanout.server.fanout.FramePreEncoder;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What it costs to turn one event into bytes for the wire.
 *
 * <p>Every published stream event is encoded exactly once, on the stream's home loop, by
 * {@link FramePreEncoder}: the JSON goes straight into a pooled buffer behind room for the WebSocket header,
 * so the result is a complete frame that all viewers share. This is the only per-event (rather than
 * per-viewer) CPU cost on the publish path, so it bounds how many events per second one home loop can take.
 * {@code codecBitrateUpdateToBytes} is the plain {@link ProtocolCodec#encode(io.nova.fanout.protocol.ServerMessage,
 * long)} to a {@code byte[]} (what the load tester and Java clients use) as the baseline: the difference is
 * the price, or gain, of writing into a {@code ByteBuf} with the header in place.
 *
 * <p>The {@code MESSAGES_DROPPED} notice is encoded per slow viewer each time it drains, message
 * construction included (its text is built per count), exactly as {@code ViewerWriteHandler} does.
 * Each pre-encoded frame is released right away, so the pool recycles its memory, as in steady state.
 * Results are returned, so JMH keeps them alive.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class EncodeBenchmark {

    private static final Instant NOW = Instant.parse("2026-11-22T04:40:47.996Z");

    /** The frame encoder over a given allocator; only the pre-encode benchmarks use (and multiply by) it. */
    @State(Scope.Thread)
    public static class Encoder {
        /**
         * {@code pooled}: {@link PooledByteBufAllocator#DEFAULT}; {@code default}: {@link ByteBufAllocator#DEFAULT},
         * which is what {@code NovaServer} passes (adaptive in Netty 4.2 unless {@code -Dio.netty.allocator.type}
         * says otherwise).
         */
        @Param({"pooled", "default"})
        public String allocator;

        FramePreEncoder encoder;

        @Setup
        public void setUp() {
            ByteBufAllocator alloc = switch (allocator) {
                case "pooled" -> PooledByteBufAllocator.DEFAULT;
                case "default" -> ByteBufAllocator.DEFAULT;
                default -> throw new IllegalArgumentException("allocator: " + allocator);
            };
            encoder = new FramePreEncoder(new ProtocolCodec(), alloc);
        }
    }

    private final ProtocolCodec codec = new ProtocolCodec();
    private final BitrateUpdate bitrate = new BitrateUpdate("demo", 2850, "720p", StreamHealth.EXCELLENT, NOW);
    private long seq;
    private long dropped;

    @Benchmark
    public int preEncodeBitrateUpdate(Encoder state) {
        ByteBuf frame = state.encoder.encode(bitrate, ++seq);
        try {
            return frame.readableBytes();
        } finally {
            frame.release();
        }
    }

    @Benchmark
    public byte[] codecBitrateUpdateToBytes() {
        return codec.encode(bitrate, ++seq);
    }

    @Benchmark
    public int preEncodeMessagesDropped(Encoder state) {
        ByteBuf frame = state.encoder.encode(ErrorEvent.messagesDropped(nextDropCount(), NOW));
        try {
            return frame.readableBytes();
        } finally {
            frame.release();
        }
    }

    @Benchmark
    public byte[] codecMessagesDroppedToBytes() {
        return codec.encode(ErrorEvent.messagesDropped(nextDropCount(), NOW));
    }

    /** 1..1000, so the notice's text (and length) varies like real counts do. */
    private long nextDropCount() {
        dropped = dropped == 1000 ? 1 : dropped + 1;
        return dropped;
    }
}
