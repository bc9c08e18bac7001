package io.nova.fanout.server.fanout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.DefaultEventLoop;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.SingleThreadEventExecutor;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class FanoutTest {
    private static final String STREAM = "stream-1";

    private DefaultEventLoopGroup group;
    private EventLoop loopA;
    private EventLoop loopB;
    private Fanout fanout;
    private StreamEventBus bus;
    private final AtomicLong nanoTime = new AtomicLong();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private final List<ByteBuf> published = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void setUp() {
        group = new DefaultEventLoopGroup(2);
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
        loopA = loops.get(0);
        loopB = loops.get(1);
        fanout = new Fanout(group, nanoTime::get, latencies::add);
        bus = new InProcessEventBus(fanout);
    }

    @AfterEach
    void tearDown() throws Exception {
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
    }

    /** A viewer that records what reaches it and releases every frame, as a writing channel would. */
    static final class FakeViewer implements ViewerSession {
        final String name;
        final EventLoop loop;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        final List<Long> seqs = Collections.synchronizedList(new ArrayList<>());
        final List<ByteBuf> framesSeen = Collections.synchronizedList(new ArrayList<>());
        final List<String> texts = Collections.synchronizedList(new ArrayList<>());
        volatile Consumer<FakeViewer> onDeliver = v -> { };
        int groupIndex = -1;

        FakeViewer(String name, EventLoop loop) {
            this.name = name;
            this.loop = loop;
        }

        @Override
        public EventLoop eventLoop() {
            return loop;
        }

        @Override
        public void deliver(ByteBuf frame, long seq, boolean endOfStream) {
            try {
                if (!loop.inEventLoop()) {
                    log.add("deliver off its loop");
                }
                framesSeen.add(frame);
                texts.add(frame.toString(StandardCharsets.US_ASCII));
                seqs.add(seq);
                log.add("d" + seq + (endOfStream ? "!" : ""));
                onDeliver.accept(this);
            } finally {
                frame.release();
            }
        }

        @Override
        public void flush() {
            if (!loop.inEventLoop()) {
                log.add("flush off its loop");
            }
            log.add("f");
        }

        @Override
        public int groupIndex() {
            return groupIndex;
        }

        @Override
        public void groupIndex(int index) {
            groupIndex = index;
        }

        long flushes() {
            synchronized (log) {
                return log.stream().filter("f"::equals).count();
            }
        }

        String last() {
            synchronized (log) {
                return log.get(log.size() - 1);
            }
        }
    }

    private static FakeViewer viewer(String name, EventLoop loop) {
        return new FakeViewer(name, loop);
    }

    private void join(FakeViewer... viewers) throws Exception {
        for (FakeViewer v : viewers) {
            v.loop.submit(() -> fanout.join(STREAM, v)).sync();
        }
    }

    private void leave(FakeViewer v) throws Exception {
        v.loop.submit(() -> fanout.leave(STREAM, v)).sync();
    }

    private StreamFrame frame(String streamId, long seq) {
        ByteBuf buf = Unpooled.copiedBuffer("frame-" + seq, StandardCharsets.US_ASCII);
        published.add(buf);
        return new StreamFrame(streamId, seq, buf, false);
    }

    /** Waits until every task queued so far on both loops (and the flushes they queue) has run. */
    private void drain() throws Exception {
        for (int i = 0; i < 3; i++) {
            loopA.submit(() -> { }).sync();
            loopB.submit(() -> { }).sync();
        }
    }

    /** Holds the given loops in a task until the returned latch is counted down. */
    private static CountDownLatch hold(EventLoop... loops) throws InterruptedException {
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch held = new CountDownLatch(loops.length);
        for (EventLoop loop : loops) {
            loop.execute(() -> {
                held.countDown();
                try {
                    release.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            });
        }
        assertThat(held.await(5, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    private void assertAllPublishedReleased() {
        synchronized (published) {
            assertThat(published).allSatisfy(buf -> assertThat(buf.refCnt()).as("frame refCnt").isZero());
        }
    }

    private static void assertOnItsLoop(FakeViewer v) {
        assertThat(v.log).as(v.name).doesNotContain("deliver off its loop", "flush off its loop");
    }

    @Test
    void rejectsAnEmptyLoopList() {
        assertThatThrownBy(() -> new Fanout(List.of(), System::nanoTime, latency -> { }))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("loops: empty");
    }

    @Test
    void everyViewerOnEveryLoopGetsEveryEventOnceInOrder() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        FakeViewer a2 = viewer("a2", loopA);
        FakeViewer b1 = viewer("b1", loopB);
        FakeViewer b2 = viewer("b2", loopB);
        FakeViewer b3 = viewer("b3", loopB);
        join(a1, a2, b1, b2, b3);
        assertThat(fanout.audienceSize(STREAM)).isEqualTo(5);

        for (long seq = 1; seq <= 20; seq++) {
            bus.publish(frame(STREAM, seq));
        }
        drain();

        List<Long> expected = new ArrayList<>();
        for (long seq = 1; seq <= 20; seq++) {
            expected.add(seq);
        }
        for (FakeViewer v : List.of(a1, a2, b1, b2, b3)) {
            assertThat(v.seqs).as(v.name).containsExactlyElementsOf(expected);
            assertThat(v.flushes()).as(v.name + " flushes").isPositive();
            assertThat(v.last()).as(v.name + " ends with a flush").isEqualTo("f");
            assertOnItsLoop(v);
        }
        assertAllPublishedReleased();
    }

    @Test
    void eachViewerGetsItsOwnDuplicateOfTheSameBytes() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        FakeViewer a2 = viewer("a2", loopA);
        FakeViewer b1 = viewer("b1", loopB);
        join(a1, a2, b1);

        StreamFrame event = frame(STREAM, 1);
        ByteBuf original = event.frame();
        bus.publish(event);
        drain();

        List<ByteBuf> seen = List.of(a1.framesSeen.get(0), a2.framesSeen.get(0), b1.framesSeen.get(0));
        for (ByteBuf buf : seen) {
            assertThat(buf).isNotSameAs(original);
        }
        assertThat(seen.get(0)).isNotSameAs(seen.get(1));
        assertThat(seen.get(0)).isNotSameAs(seen.get(2));
        assertThat(seen.get(1)).isNotSameAs(seen.get(2));
        for (FakeViewer v : List.of(a1, a2, b1)) {
            assertThat(v.texts).containsExactly("frame-1");
        }
        assertThat(original.refCnt()).as("released exactly once overall").isZero();
    }

    @Test
    void aFrameWithNoAudienceIsReleased() {
        StreamFrame event = frame("nobody-watches", 1);
        bus.publish(event);
        assertThat(event.frame().refCnt()).isZero();
    }

    @Test
    void aFrameWhoseViewersAllLeftIsReleased() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        join(a1);
        leave(a1);
        assertThat(fanout.audienceSize(STREAM)).isZero();

        StreamFrame event = frame(STREAM, 1);
        bus.publish(event);
        drain();

        assertThat(a1.seqs).isEmpty();
        assertThat(event.frame().refCnt()).isZero();
    }

    @Test
    void loopsWithoutViewersOfTheStreamGetNoTask() throws Exception {
        join(viewer("a1", loopA));
        CountDownLatch release = hold(loopA, loopB);
        try {
            bus.publish(frame(STREAM, 1));

            assertThat(((SingleThreadEventExecutor) loopA).pendingTasks()).as("loop with a viewer").isEqualTo(1);
            assertThat(((SingleThreadEventExecutor) loopB).pendingTasks()).as("loop without viewers").isZero();
        } finally {
            release.countDown();
        }
        drain();
        assertAllPublishedReleased();
    }

    @Test
    void oneTaskPerLoopNotPerViewer() throws Exception {
        for (int i = 0; i < 10; i++) {
            join(viewer("a" + i, loopA));
        }
        CountDownLatch release = hold(loopA);
        try {
            bus.publish(frame(STREAM, 1));
            assertThat(((SingleThreadEventExecutor) loopA).pendingTasks()).isEqualTo(1);
        } finally {
            release.countDown();
        }
        drain();
        assertAllPublishedReleased();
    }

    @Test
    void aQueuedBurstSharesAFlushPerBatchOfEventsAndEndsWithOne() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        FakeViewer a2 = viewer("a2", loopA);
        FakeViewer b1 = viewer("b1", loopB);
        join(a1, a2, b1);

        // Hold both loops so the whole burst is queued before any of it runs, as under load.
        CountDownLatch release = hold(loopA, loopB);
        try {
            Thread publisher = new Thread(() -> {
                for (long seq = 1; seq <= 100; seq++) {
                    bus.publish(frame(STREAM, seq));
                }
            }, "publisher");
            publisher.start();
            publisher.join(5_000);
        } finally {
            release.countDown();
        }
        drain();

        for (FakeViewer v : List.of(a1, a2, b1)) {
            assertThat(v.seqs).as(v.name).hasSize(100);
            assertThat(v.flushes()).as(v.name + " flushes for a queued burst")
                    .isEqualTo((100 + Fanout.MAX_EVENTS_PER_FLUSH - 1) / Fanout.MAX_EVENTS_PER_FLUSH);
            assertThat(v.last()).as(v.name + " flushes after the last delivery").isEqualTo("f");
        }
        assertAllPublishedReleased();
    }

    @Test
    void latencyIsRecordedOncePerEventAndLoopFromDeliveryToTheFlush() throws Exception {
        join(viewer("a1", loopA), viewer("a2", loopA), viewer("b1", loopB));
        CountDownLatch release = hold(loopA, loopB);
        try {
            nanoTime.set(1_000);
            bus.publish(frame(STREAM, 1));
            nanoTime.set(1_100);
            bus.publish(frame(STREAM, 2));
            nanoTime.set(1_250);
        } finally {
            release.countDown();
        }
        drain();
        // Two loops, two events: one figure per event and loop, whatever the number of viewers on the loop.
        assertThat(latencies).containsExactlyInAnyOrder(250L, 250L, 150L, 150L);
        assertAllPublishedReleased();
    }

    @Test
    void noLatencyIsRecordedForALoopWithoutViewersOfTheStream() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        join(a1);
        CountDownLatch release = hold(loopA);
        try {
            // The viewer leaves after the event was handed to its loop, before the loop delivers it.
            loopA.execute(() -> fanout.leave(STREAM, a1));
            bus.publish(frame(STREAM, 1));
        } finally {
            release.countDown();
        }
        drain();
        assertThat(a1.seqs).isEmpty();
        assertThat(latencies).isEmpty();
        assertAllPublishedReleased();
    }

    @Test
    void aBurstFromAnotherThreadNeverFlushesMoreThanItDelivers() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        FakeViewer b1 = viewer("b1", loopB);
        join(a1, b1);

        Thread publisher = new Thread(() -> {
            for (long seq = 1; seq <= 100; seq++) {
                bus.publish(frame(STREAM, seq));
            }
        }, "publisher");
        publisher.start();
        publisher.join(5_000);
        drain();

        for (FakeViewer v : List.of(a1, b1)) {
            assertThat(v.seqs).as(v.name).hasSize(100);
            assertThat(v.flushes()).as(v.name + " flushes").isBetween(1L, 100L);
            assertThat(v.last()).isEqualTo("f");
            // Never two flushes in a row without a delivery in between.
            synchronized (v.log) {
                for (int i = 1; i < v.log.size(); i++) {
                    assertThat(v.log.get(i - 1).equals("f") && v.log.get(i).equals("f")).isFalse();
                }
            }
        }
        assertAllPublishedReleased();
    }

    @Test
    void aViewerLeavingDuringDeliveryDoesNotMakeOthersMissIt() throws Exception {
        List<FakeViewer> viewers = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            viewers.add(viewer("a" + i, loopA));
        }
        join(viewers.toArray(new FakeViewer[0]));
        // Every other viewer leaves as soon as it receives event 1, from inside the delivery loop.
        for (int i = 0; i < viewers.size(); i += 2) {
            viewers.get(i).onDeliver = v -> fanout.leave(STREAM, v);
        }

        bus.publish(frame(STREAM, 1));
        bus.publish(frame(STREAM, 2));
        drain();

        for (int i = 0; i < viewers.size(); i++) {
            FakeViewer v = viewers.get(i);
            if (i % 2 == 0) {
                assertThat(v.seqs).as(v.name).containsExactly(1L);
            } else {
                assertThat(v.seqs).as(v.name).containsExactly(1L, 2L);
            }
        }
        assertThat(fanout.audienceSize(STREAM)).isEqualTo(3);
        assertAllPublishedReleased();
    }

    @Test
    void everyViewerLeavingDuringDeliveryIsHandled() throws Exception {
        List<FakeViewer> viewers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FakeViewer v = viewer("a" + i, loopA);
            v.onDeliver = self -> fanout.leave(STREAM, self);
            viewers.add(v);
        }
        join(viewers.toArray(new FakeViewer[0]));

        bus.publish(frame(STREAM, 1));
        bus.publish(frame(STREAM, 2));
        drain();

        for (FakeViewer v : viewers) {
            assertThat(v.seqs).as(v.name).containsExactly(1L);
            assertThat(v.groupIndex()).isEqualTo(-1);
        }
        assertThat(fanout.audienceSize(STREAM)).isZero();
        assertAllPublishedReleased();
    }

    @Test
    void swapRemoveKeepsTheRemainingViewersReachable() throws Exception {
        FakeViewer v0 = viewer("v0", loopA);
        FakeViewer v1 = viewer("v1", loopA);
        FakeViewer v2 = viewer("v2", loopA);
        FakeViewer v3 = viewer("v3", loopA);
        join(v0, v1, v2, v3);

        leave(v1); // the last one (v3) takes its slot
        assertThat(v1.groupIndex()).isEqualTo(-1);
        assertThat(v3.groupIndex()).isEqualTo(1);
        leave(v1); // leaving twice is harmless
        leave(v0);
        assertThat(fanout.audienceSize(STREAM)).isEqualTo(2);

        bus.publish(frame(STREAM, 1));
        drain();

        assertThat(v0.seqs).isEmpty();
        assertThat(v1.seqs).isEmpty();
        assertThat(v2.seqs).containsExactly(1L);
        assertThat(v3.seqs).containsExactly(1L);
        assertAllPublishedReleased();
    }

    @Test
    void leavingAStreamNeverJoinedIsHarmless() throws Exception {
        FakeViewer stranger = viewer("stranger", loopA);
        leave(stranger);
        FakeViewer member = viewer("member", loopA);
        join(member);
        leave(stranger);
        assertThat(fanout.audienceSize(STREAM)).isEqualTo(1);
        assertThat(member.groupIndex()).isZero();
    }

    @Test
    void eventsOfOtherStreamsDoNotReachTheViewer() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        join(a1);
        FakeViewer other = viewer("other", loopB);
        other.loop.submit(() -> fanout.join("stream-2", other)).sync();

        bus.publish(frame(STREAM, 1));
        bus.publish(frame("stream-2", 7));
        drain();

        assertThat(a1.seqs).containsExactly(1L);
        assertThat(other.seqs).containsExactly(7L);
        assertThat(fanout.audienceSize(STREAM)).isEqualTo(1);
        assertThat(fanout.audienceSize("stream-2")).isEqualTo(1);
        assertThat(fanout.audienceSize("unknown")).isZero();
        assertAllPublishedReleased();
    }

    @Test
    void endOfStreamFlagReachesViewers() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        join(a1);
        ByteBuf buf = Unpooled.copiedBuffer("end", StandardCharsets.US_ASCII);
        published.add(buf);
        bus.publish(new StreamFrame(STREAM, 9, buf, true));
        drain();
        assertThat(a1.log).containsExactly("d9!", "f");
        assertAllPublishedReleased();
    }

    @Test
    void forgetKeepsAnAudienceThatStillHasViewers() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        FakeViewer b1 = viewer("b1", loopB);
        join(a1, b1);
        leave(a1);

        fanout.forget(STREAM);

        assertThat(fanout.audienceSize(STREAM)).isEqualTo(1);
        bus.publish(frame(STREAM, 1));
        drain();
        assertThat(b1.seqs).containsExactly(1L);
        assertAllPublishedReleased();
    }

    @Test
    void forgetDropsAnEmptyAudienceAndTheStreamCanBeJoinedAgain() throws Exception {
        FakeViewer a1 = viewer("a1", loopA);
        join(a1);
        leave(a1);
        assertThat(fanout.audienceCount()).isEqualTo(1);

        bus.forget(STREAM);
        fanout.forget(STREAM);
        fanout.forget("never-known");
        assertThat(fanout.audienceCount()).as("the empty audience is gone").isZero();
        assertThat(fanout.audienceSize(STREAM)).isZero();

        FakeViewer again = viewer("again", loopB);
        join(again);
        bus.publish(frame(STREAM, 5));
        drain();
        assertThat(again.seqs).containsExactly(5L);
        assertThat(a1.seqs).isEmpty();
        assertAllPublishedReleased();
    }

    @Test
    void joinFromAForeignLoopIsRefusedClearly() throws Exception {
        DefaultEventLoop foreign = new DefaultEventLoop();
        try {
            FakeViewer stranger = viewer("stranger", foreign);
            Throwable failure = foreign.submit(() -> fanout.join(STREAM, stranger)).await().cause();
            assertThat(failure)
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("is not one of this fanout's loops")
                    .hasMessageContaining(foreign.toString());
            assertThat(fanout.audienceSize(STREAM)).isZero();
        } finally {
            foreign.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    @Test
    void deliveryAfterTheLoopsShutDownReleasesTheFrame() throws Exception {
        join(viewer("a1", loopA), viewer("b1", loopB));
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();

        StreamFrame event = frame(STREAM, 1);
        bus.publish(event);

        assertThat(event.frame().refCnt()).isZero();
    }
}
