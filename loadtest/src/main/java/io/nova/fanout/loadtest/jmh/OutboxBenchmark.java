package io.nova.fanout.loadtest.jmh;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.StreamHealth;
import io.nova.fanout.server.buffer.ViewerOutbox;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-viewer backlog, {@link ViewerOutbox}, on the two paths a slow viewer takes.
 *
 * <ul>
 *   <li>{@code offerPoll}: a viewer that is behind but keeping up: every new frame is appended while the
 *       oldest is taken out and written (here: released, as the socket eventually does). The outbox stays
 *       half full, so the ring wraps around like it does in service.</li>
 *   <li>{@code offerWhenFull}: a viewer that has stopped reading: every frame that arrives pushes out the
 *       oldest one (drop-oldest), which is released. This path runs once per event for every stuck viewer,
 *       so it must stay as cheap as a normal write.</li>
 * </ul>
 *
 * <p>Both hand the outbox a {@code retainedDuplicate()} of one shared, pre-encoded frame, which is what a
 * viewer receives from {@code Fanout}; the duplicate's allocation and the shared reference count's
 * increment and decrement are part of the measured cost, as they are in the server. Capacity defaults to
 * the server's {@code --buffer-size} (100).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class OutboxBenchmark {

    @Param({"100"})
    public int capacity;

    private ByteBuf shared;
    private ViewerOutbox halfFull;
    private ViewerOutbox full;

    @Setup
    public void setUp() {
        FramePreEncoder encoder = new FramePreEncoder(new ProtocolCodec(), UnpooledByteBufAllocator.DEFAULT);
        shared = encoder.encode(new BitrateUpdate("demo", 2850, "720p", StreamHealth.EXCELLENT,
                Instant.parse("2026-11-22T04:40:47.996Z")), 5);
        halfFull = new ViewerOutbox(capacity);
        full = new ViewerOutbox(capacity);
        for (int i = 0; i < capacity; i++) {
            if (i < capacity / 2) {
                halfFull.offer(shared.retainedDuplicate());
            }
            full.offer(shared.retainedDuplicate());
        }
    }

    @TearDown
    public void tearDown() {
        halfFull.clear();
        full.clear();
        if (shared.refCnt() != 1) {
            throw new IllegalStateException("leaked references to the shared frame: refCnt=" + shared.refCnt());
        }
        shared.release();
    }

    @Benchmark
    public int offerPoll() {
        halfFull.offer(shared.retainedDuplicate());
        ByteBuf oldest = halfFull.poll();
        int bytes = oldest.readableBytes();
        oldest.release();
        return bytes;
    }

    @Benchmark
    public boolean offerWhenFull() {
        return full.offer(shared.retainedDuplicate());
    }
}
