package io.nova.fanout.loadtest.jmh;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.StreamHealth;
import io.nova.fanout.server.buffer.ViewerOutbox;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.StreamFrame;
import io.nova.fanout.server.fanout.ViewerSession;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.ViewerWriteHandler;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * The fan-out loop: one pre-encoded event handed by {@link Fanout} to the {@code viewers} viewers of a stream
 * that one event loop owns.
 *
 * <p>This is the per-viewer cost of the server, and so what bounds viewers per core: for each viewer the
 * loop takes a {@code retainedDuplicate()} of the shared frame, applies the {@code seq} check of
 * {@code ViewerSessionHandler.deliver} and writes the duplicate straight through (the viewer is writable),
 * then the flush task {@code Fanout} queues behind the batch flushes each viewer once. The benchmark thread
 * plays the stream's home loop: it calls {@link Fanout#deliver} and then waits, spinning, until a marker task
 * queued behind the flush has run on the viewers' {@link DefaultEventLoop}, so every invocation measures
 * the complete delivery and flush, not just the enqueue. The primary score is events/s; the
 * {@code deliveries} counter is the same rate times {@code viewers}, i.e. frames handed to viewers per second.
 *
 * <p>{@code session} chooses what stands behind each {@link ViewerSession}:
 * <ul>
 *   <li>{@code sink}: the logic of {@code ViewerWriteHandler.write} without Netty: the duplicate is kept
 *       until {@code flush()}, then released, as the socket would. Isolates {@code Fanout} and the
 *       reference counting.</li>
 *   <li>{@code writeHandler}: the real {@link ViewerWriteHandler} (with real {@link NovaMetrics}) on an
 *       {@link EmbeddedChannel}, so the pipeline write, the channel's outbound buffer and the flush are
 *       included; the embedded channel's queue of written frames is released after each flush. This is
 *       closer to the server, plus the embedded channel's own overhead.</li>
 * </ul>
 * At small audiences the cross-thread wake-up of the loop (one per event, as in the server when the loop
 * is idle) dominates; at 10,000 viewers the score is the delivery loop itself.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@State(Scope.Thread)
public class FanoutBenchmark {

    private static final String STREAM = "demo";
    private static final int BUFFER_SIZE = 100; // the server's default --buffer-size

    @Param({"100", "10000"})
    public int viewers;

    @Param({"sink", "writeHandler"})
    public String session;

    /** Frames handed to viewers, reported by JMH as a rate next to the events/s score. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Deliveries {
        public long deliveries;

        @Setup(Level.Iteration)
        public void reset() {
            deliveries = 0;
        }
    }

    private DefaultEventLoop loop;
    private Fanout fanout;
    private ByteBuf shared;
    private final List<BenchViewer> audience = new ArrayList<>();
    private long seq;
    private long submitted;
    /** Written by the loop only. */
    private volatile long completed;
    private final Runnable markDone = () -> completed = completed + 1;
    /** Runs after the delivery task, and queues the marker behind the flush task the delivery queued. */
    private Runnable afterFlush;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        loop = new DefaultEventLoop();
        // Latency is recorded once per event and loop, not per viewer: left out of a per-viewer benchmark.
        fanout = new Fanout(loop, System::nanoTime, latency -> { });
        afterFlush = () -> loop.execute(markDone);
        ProtocolCodec codec = new ProtocolCodec();
        FramePreEncoder encoder = new FramePreEncoder(codec, ByteBufAllocator.DEFAULT);
        shared = encoder.encode(new BitrateUpdate(STREAM, 2850, "720p", StreamHealth.EXCELLENT,
                Instant.parse("2026-11-22T04:40:47.996Z")), 5);

        NovaMetrics metrics = new NovaMetrics(() -> 0, () -> 0);
        metrics.bindTo(new SimpleMeterRegistry());
        for (int i = 0; i < viewers; i++) {
            audience.add(switch (session) {
                case "sink" -> new SinkViewer(loop);
                case "writeHandler" -> new HandlerViewer(loop, new ViewerWriteHandler(
                        BUFFER_SIZE, encoder, Clock.systemUTC(), metrics));
                default -> throw new IllegalArgumentException("session: " + session);
            });
        }
        // Joining happens on the viewers' loop, as in the server; sync() also publishes the viewers to it.
        loop.submit(() -> audience.forEach(viewer -> fanout.join(STREAM, viewer))).sync();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws Exception {
        long last = seq;
        loop.submit(() -> {
            for (BenchViewer viewer : audience) {
                if (viewer.lastSeq != last) {
                    throw new IllegalStateException("a viewer got seq " + viewer.lastSeq + ", expected " + last);
                }
                fanout.leave(STREAM, viewer);
                viewer.close();
            }
        }).sync();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        audience.clear();
        if (shared.refCnt() != 1) {
            throw new IllegalStateException("leaked references to the shared frame: refCnt=" + shared.refCnt());
        }
        shared.release();
    }

    @Benchmark
    public void deliverOneEvent(Deliveries counters) {
        // Fanout takes ownership of one reference, as it does of a freshly encoded frame.
        fanout.deliver(new StreamFrame(STREAM, ++seq, shared.retain(), false));
        loop.execute(afterFlush);
        long target = ++submitted;
        while (completed != target) {
            Thread.onSpinWait();
        }
        counters.deliveries += viewers;
    }

    /** A viewer with the {@code seq} check of {@code ViewerSessionHandler.deliver}. */
    private abstract static class BenchViewer implements ViewerSession {
        private final EventLoop loop;
        private int groupIndex = -1;
        long lastSeq;

        BenchViewer(EventLoop loop) {
            this.loop = loop;
        }

        @Override
        public EventLoop eventLoop() {
            return loop;
        }

        @Override
        public final void deliver(ByteBuf frame, long seq, boolean endOfStream) {
            if (seq <= lastSeq) {
                frame.release();
                return;
            }
            lastSeq = seq;
            write(frame);
        }

        abstract void write(ByteBuf frame);

        abstract void close();

        @Override
        public int groupIndex() {
            return groupIndex;
        }

        @Override
        public void groupIndex(int index) {
            groupIndex = index;
        }
    }

    /** {@code ViewerWriteHandler.write} without a channel: written frames wait for the flush, which releases them. */
    private static final class SinkViewer extends BenchViewer {
        private final ViewerOutbox outbox = new ViewerOutbox(BUFFER_SIZE);
        private final boolean writable = true;
        private ByteBuf[] unflushed = new ByteBuf[4];
        private int unflushedCount;
        private long dropped;

        SinkViewer(EventLoop loop) {
            super(loop);
        }

        @Override
        void write(ByteBuf frame) {
            if (outbox.isEmpty() && writable) {
                if (unflushedCount == unflushed.length) {
                    unflushed = Arrays.copyOf(unflushed, unflushedCount * 2);
                }
                unflushed[unflushedCount++] = frame;
            } else if (!outbox.offer(frame)) {
                dropped++;
            }
        }

        @Override
        public void flush() {
            for (int i = 0; i < unflushedCount; i++) {
                unflushed[i].release();
                unflushed[i] = null;
            }
            unflushedCount = 0;
        }

        @Override
        void close() {
            flush();
            outbox.clear();
        }
    }

    /** The real write handler on an embedded channel whose written frames are released after each flush. */
    private static final class HandlerViewer extends BenchViewer {
        private final ViewerWriteHandler writer;
        private final EmbeddedChannel channel;

        HandlerViewer(EventLoop loop, ViewerWriteHandler writer) {
            super(loop);
            this.writer = writer;
            this.channel = new EmbeddedChannel(writer);
        }

        @Override
        void write(ByteBuf frame) {
            writer.write(frame);
        }

        @Override
        public void flush() {
            writer.flush();
            channel.releaseOutbound();
        }

        @Override
        void close() {
            channel.finishAndReleaseAll();
        }
    }
}
