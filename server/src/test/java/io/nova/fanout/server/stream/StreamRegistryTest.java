package io.nova.fanout.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledHeapByteBuf;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.EventNames;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.protocol.QualityChanged;
import io.nova.fanout.protocol.ServerMessage;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.protocol.StreamEnded;
import io.nova.fanout.protocol.StreamHealth;
import io.nova.fanout.protocol.StreamStarted;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.protocol.ViewerCountChanged;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.StreamEventBus;
import io.nova.fanout.server.fanout.StreamFrame;
import io.nova.fanout.server.stream.StreamOutcome.Applied;
import io.nova.fanout.server.stream.StreamOutcome.Reason;
import io.nova.fanout.server.stream.StreamOutcome.Refused;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class StreamRegistryTest {
    private static final Instant T0 = Instant.parse("2025-10-21T10:30:45.123Z");
    private static final StreamMetadata METADATA = new StreamMetadata("user-123", "Streamer123",
            "Live Gaming Session", "Playing competitive games", "1080p", 60, 5000);

    private final ProtocolCodec codec = new ProtocolCodec();
    private final MutableClock clock = new MutableClock(T0);
    private final RecordingBus bus = new RecordingBus(codec);
    private final List<ByteBuf> allocated = new ArrayList<>();
    private final List<StreamRegistry> registries = new ArrayList<>();
    private DefaultEventLoopGroup group;

    /** Records every frame the encoder allocates, so a test can check each one was released. */
    private final ByteBufAllocator trackingAllocator = new AbstractByteBufAllocator(false) {
        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buf = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
            synchronized (allocated) {
                allocated.add(buf);
            }
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

    @BeforeEach
    void setUp() {
        group = new DefaultEventLoopGroup(2);
    }

    @AfterEach
    void tearDown() throws Exception {
        registries.forEach(StreamRegistry::close);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        assertAllFramesReleased();
    }

    private void assertAllFramesReleased() {
        synchronized (allocated) {
            assertThat(allocated).as("every encoded frame is released")
                    .allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
        }
    }

    private StreamRegistry registry(int maxFrameBytes, Duration viewerCountInterval, Duration retention) {
        StreamRegistry registry = new StreamRegistry(group, new FramePreEncoder(codec, trackingAllocator), bus, clock,
                maxFrameBytes, viewerCountInterval, 0, retention);
        registries.add(registry);
        return registry;
    }

    private StreamRegistry registry() {
        return registry(262_144, Duration.ofMillis(20), Duration.ofMinutes(5));
    }

    private static StreamOutcome outcome(Future<StreamOutcome> future) throws InterruptedException {
        assertThat(future.await(5, TimeUnit.SECONDS)).as("outcome within 5 s").isTrue();
        assertThat(future.cause()).isNull();
        return future.getNow();
    }

    private static Applied applied(Future<StreamOutcome> future) throws InterruptedException {
        StreamOutcome outcome = outcome(future);
        assertThat(outcome).isInstanceOf(Applied.class);
        return (Applied) outcome;
    }

    private static Refused refused(Future<StreamOutcome> future) throws InterruptedException {
        StreamOutcome outcome = outcome(future);
        assertThat(outcome).isInstanceOf(Refused.class);
        return (Refused) outcome;
    }

    private static void sync(EventLoop loop) throws InterruptedException {
        assertThat(loop.submit(() -> { }).await(5, TimeUnit.SECONDS)).isTrue();
    }

    /** Waits long enough for the viewer-count ticker of {@code loop} to have run at least twice more. */
    private static void waitTicks(EventLoop loop, Duration interval) throws InterruptedException {
        assertThat(loop.schedule(() -> { }, interval.toMillis() * 3, TimeUnit.MILLISECONDS)
                .await(5, TimeUnit.SECONDS)).isTrue();
    }

    private Stream registerAndStart(StreamRegistry registry, String id) throws InterruptedException {
        assertThat(applied(registry.register(id, METADATA)).created()).isTrue();
        applied(registry.apply(id, List.of(new StreamChange.Start())));
        return registry.find(id).orElseThrow();
    }

    // -----------------------------------------------------------------------------------------------

    @Test
    void registerCreatesThenUpdates() throws Exception {
        StreamRegistry registry = registry();

        Applied created = applied(registry.register("s1", METADATA));
        assertThat(created.created()).isTrue();
        assertThat(created.firstSeq()).isZero();
        assertThat(created.lastSeq()).isZero();
        assertThat(created.state().status()).isEqualTo(StreamStatus.SCHEDULED);
        assertThat(created.state().metadata()).isEqualTo(METADATA);
        assertThat(created.state().createdAt()).isEqualTo(T0);
        assertThat(created.state().seq()).isZero();

        Stream stream = registry.find("s1").orElseThrow();
        assertThat(stream.id()).isEqualTo("s1");
        Set<EventExecutor> loops = new HashSet<>();
        group.forEach(loops::add);
        assertThat(loops).contains(stream.home());

        StreamMetadata updated = new StreamMetadata("user-123", "Streamer123", "Renamed", "", "720p", 30, 3000);
        Applied update = applied(registry.register("s1", updated));
        assertThat(update.created()).isFalse();
        assertThat(update.firstSeq()).isZero();
        assertThat(update.lastSeq()).isZero();
        assertThat(update.state().metadata()).isEqualTo(updated);
        assertThat(stream.state().metadata()).isEqualTo(updated);
        assertThat(registry.find("s1").orElseThrow()).isSameAs(stream);
        assertThat(registry.streams()).containsExactly(stream);
        assertThat(bus.events()).as("registering publishes nothing").isEmpty();
    }

    @Test
    void streamsAreSpreadOverTheLoops() throws Exception {
        StreamRegistry registry = registry();
        Set<EventLoop> homes = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            applied(registry.register("s" + i, METADATA));
            homes.add(registry.find("s" + i).orElseThrow().home());
        }
        assertThat(homes).hasSize(2);
    }

    @Test
    void applyOnAnUnknownStreamIsRefusedAtOnce() {
        StreamRegistry registry = registry();
        Future<StreamOutcome> future = registry.apply("nope", List.of(new StreamChange.Start()));
        assertThat(future.isDone()).isTrue();
        assertThat(future.getNow()).isEqualTo(new Refused(Reason.NOT_FOUND, "no stream nope is registered"));
        assertThat(registry.find("nope")).isEmpty();
    }

    @Test
    void seqGrowsByOnePerEventAcrossStartEventsCountsAndEnd() throws Exception {
        StreamRegistry registry = registry(262_144, Duration.ofMillis(20), Duration.ofMinutes(5));
        applied(registry.register("s1", METADATA));

        Applied start = applied(registry.apply("s1", List.of(new StreamChange.Start())));
        assertThat(start.firstSeq()).isEqualTo(1);
        assertThat(start.lastSeq()).isEqualTo(1);
        assertThat(start.state().status()).isEqualTo(StreamStatus.ACTIVE);

        Applied batch = applied(registry.apply("s1", List.of(
                new StreamChange.ChangeQuality("720p", 3000, null, QualityChangeReason.ADAPTIVE_BITRATE),
                new StreamChange.ReportBitrate(2000))));
        assertThat(batch.firstSeq()).isEqualTo(2);
        assertThat(batch.lastSeq()).isEqualTo(3);

        Stream stream = registry.find("s1").orElseThrow();
        stream.viewerJoined();
        bus.await(events -> events.size() == 4);

        Applied error = applied(registry.apply("s1", List.of(new StreamChange.RaiseError(ErrorCode.BUFFER_OVERFLOW,
                "overflow", Severity.WARNING, true, null))));
        assertThat(error.firstSeq()).isEqualTo(5);

        clock.set(T0.plusSeconds(90));
        Applied end = applied(registry.apply("s1", List.of(new StreamChange.End(EndReason.BROADCASTER_ENDED))));
        assertThat(end.firstSeq()).isEqualTo(6);
        assertThat(end.lastSeq()).isEqualTo(6);
        assertThat(stream.state().seq()).isEqualTo(6);

        List<Recorded> events = bus.events();
        assertThat(events).extracting(Recorded::seq).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(events).extracting(r -> r.message().eventName()).containsExactly(EventNames.STREAM_STARTED,
                EventNames.QUALITY_CHANGED, EventNames.BITRATE_UPDATE, EventNames.VIEWER_COUNT_CHANGED,
                EventNames.ERROR, EventNames.STREAM_ENDED);
        assertThat(events).extracting(Recorded::endOfStream).containsExactly(false, false, false, false, false, true);
        assertThat(events).allSatisfy(r -> assertThat(r.streamId()).isEqualTo("s1"));

        assertThat(events.get(0).message()).isEqualTo(new StreamStarted("s1", "user-123", "Live Gaming Session",
                "Playing competitive games", "1080p", 60, 5000, T0));
        assertThat(events.get(1).message()).isEqualTo(new QualityChanged("s1", "1080p", "720p", 5000, 3000, 60,
                QualityChangeReason.ADAPTIVE_BITRATE, T0));
        // 2000 of the new nominal 3000 kbps is 67 %.
        assertThat(events.get(2).message()).isEqualTo(new BitrateUpdate("s1", 2000, "720p", StreamHealth.FAIR, T0));
        assertThat(events.get(3).message()).isEqualTo(new ViewerCountChanged("s1", 1, 1, 1, T0));
        assertThat(events.get(5).message()).isEqualTo(new StreamEnded("s1", 90, 1, 1, EndReason.BROADCASTER_ENDED,
                T0.plusSeconds(90)));
    }

    @Test
    void concurrentAppliesAreSequencedWithoutGapsOrDuplicates() throws Exception {
        StreamRegistry registry = registry();
        registerAndStart(registry, "s1");
        int threads = 4;
        int perThread = 50;
        List<Future<StreamOutcome>> futures = new ArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < perThread; i++) {
                    Future<StreamOutcome> f = registry.apply("s1", List.of(new StreamChange.ReportBitrate(4000 + i)));
                    synchronized (futures) {
                        futures.add(f);
                    }
                }
            });
            worker.start();
            workers.add(worker);
        }
        go.countDown();
        for (Thread worker : workers) {
            worker.join(5_000);
        }

        Set<Long> seqs = new HashSet<>();
        synchronized (futures) {
            for (Future<StreamOutcome> f : futures) {
                Applied a = applied(f);
                assertThat(a.firstSeq()).isEqualTo(a.lastSeq());
                seqs.add(a.lastSeq());
            }
        }
        assertThat(seqs).hasSize(threads * perThread);
        List<Long> published = bus.events().stream().map(Recorded::seq).toList();
        List<Long> expected = new ArrayList<>();
        for (long seq = 1; seq <= 1 + threads * perThread; seq++) {
            expected.add(seq);
        }
        assertThat(published).as("published in seq order").containsExactlyElementsOf(expected);
    }

    @Test
    void aBatchIsAllOrNothing() throws Exception {
        StreamRegistry registry = registry();
        Stream stream = registerAndStart(registry, "s1");
        StreamState before = stream.state();
        int publishedBefore = bus.events().size();

        Refused refused = refused(registry.apply("s1", List.of(
                new StreamChange.ReportBitrate(4000),
                new StreamChange.Start())));

        assertThat(refused.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(refused.message()).isEqualTo("stream s1 is active; only a scheduled stream can start");
        assertThat(stream.state()).as("state unchanged").isSameAs(before);
        sync(stream.home());
        assertThat(bus.events()).hasSize(publishedBefore);
        // The first event was encoded before the second was refused: its frame must not leak.
        assertAllFramesReleased();

        Applied next = applied(registry.apply("s1", List.of(new StreamChange.ReportBitrate(4000))));
        assertThat(next.firstSeq()).as("a refused batch consumes no seq").isEqualTo(before.seq() + 1);
    }

    @Test
    void aLaterRefusalUndoesEarlierEventsOfTheBatch() throws Exception {
        StreamRegistry registry = registry();
        Stream stream = registerAndStart(registry, "s1");
        StreamState before = stream.state();

        Refused refused = refused(registry.apply("s1", List.of(
                new StreamChange.ChangeQuality("720p", 3000, null, QualityChangeReason.BROADCASTER_CHANGED),
                new StreamChange.End(EndReason.BROADCASTER_ENDED),
                new StreamChange.ReportBitrate(100))));

        assertThat(refused.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(refused.message()).isEqualTo("stream s1 has ended");
        assertThat(stream.state()).isSameAs(before);
        assertThat(stream.state().metadata().quality()).isEqualTo("1080p");
        sync(stream.home());
        assertThat(bus.events()).hasSize(1);
        assertAllFramesReleased();
    }

    @Test
    void anEventLargerThanTheFrameLimitIsRefusedAsTooLarge() throws Exception {
        StreamRegistry registry = registry(1024, Duration.ofMillis(20), Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");
        StreamState before = stream.state();

        String message = "x".repeat(2000);
        int encodedSize = codec.encode(new ErrorEvent(ErrorCode.SERVER_ERROR, message, Severity.ERROR, false, null,
                null, T0), before.seq() + 1).length;
        Refused refused = refused(registry.apply("s1", List.of(
                new StreamChange.RaiseError(ErrorCode.SERVER_ERROR, message, Severity.ERROR, false, null))));

        assertThat(refused.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(refused.message()).isEqualTo("error encodes to " + encodedSize + " bytes (expected: <= 1024)");
        assertThat(stream.state()).isSameAs(before);
        sync(stream.home());
        assertThat(bus.events()).hasSize(1);
        assertAllFramesReleased();
    }

    @Test
    void aTooLargeEventRefusesItsWholeBatch() throws Exception {
        StreamRegistry registry = registry(1024, Duration.ofMillis(20), Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");

        Refused refused = refused(registry.apply("s1", List.of(
                new StreamChange.RaiseError(ErrorCode.SERVER_ERROR, "small", Severity.ERROR, false, null),
                new StreamChange.RaiseError(ErrorCode.SERVER_ERROR, "x".repeat(2000), Severity.ERROR, false, null))));

        assertThat(refused.reason()).isEqualTo(Reason.TOO_LARGE);
        sync(stream.home());
        assertThat(bus.events()).hasSize(1);
        assertThat(stream.state().seq()).isEqualTo(1);
        assertAllFramesReleased();
    }

    @Test
    void anEventExactlyAtTheFrameLimitIsAccepted() throws Exception {
        StreamRegistry registry = registry(1024, Duration.ofMillis(20), Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");
        int base = codec.encode(new ErrorEvent(ErrorCode.SERVER_ERROR, "", Severity.ERROR, false, null, null, T0),
                2).length;
        String fits = "x".repeat(1024 - base);

        applied(registry.apply("s1", List.of(
                new StreamChange.RaiseError(ErrorCode.SERVER_ERROR, fits, Severity.ERROR, false, null))));
        Refused tooBig = refused(registry.apply("s1", List.of(
                new StreamChange.RaiseError(ErrorCode.SERVER_ERROR, fits + "x", Severity.ERROR, false, null))));

        assertThat(tooBig.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(stream.state().seq()).isEqualTo(2);
    }

    @Test
    void aChangeThatPublishesNothingReportsZeroSeqs() throws Exception {
        StreamRegistry registry = registry();
        registerAndStart(registry, "s1");
        Applied update = applied(registry.register("s1", METADATA));
        assertThat(update.firstSeq()).isZero();
        assertThat(update.lastSeq()).isZero();
        assertThat(update.state().seq()).isEqualTo(1);
    }

    @Test
    void viewerCountsAreBatchedPerInterval() throws Exception {
        Duration interval = Duration.ofMillis(50);
        StreamRegistry registry = registry(262_144, interval, Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");

        int threads = 2;
        int perThread = 5_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            Thread worker = new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                // 50 bursts of 100 joins, ~10 ms apart: about half a second of steady churn.
                for (int burst = 0; burst < 50; burst++) {
                    for (int i = 0; i < perThread / 50; i++) {
                        stream.viewerJoined();
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
            });
            worker.start();
            workers.add(worker);
        }
        long startNanos = System.nanoTime();
        go.countDown();
        for (Thread worker : workers) {
            worker.join(5_000);
        }
        bus.await(events -> !events.isEmpty() && events.get(events.size() - 1).message()
                instanceof ViewerCountChanged last && last.viewerCount() == threads * perThread);
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);

        List<ViewerCountChanged> counts = bus.events().stream()
                .map(Recorded::message)
                .filter(ViewerCountChanged.class::isInstance)
                .map(ViewerCountChanged.class::cast)
                .toList();
        assertThat(counts.size()).as("at most one per %d ms over %d ms", interval.toMillis(), elapsedMillis)
                .isBetween(2, (int) (elapsedMillis / interval.toMillis()) + 2);
        assertThat(counts.stream().mapToInt(ViewerCountChanged::change).sum()).isEqualTo(10_000);
        assertThat(counts).allSatisfy(c -> {
            assertThat(c.change()).isPositive();
            assertThat(c.peakViewers()).isGreaterThanOrEqualTo(c.viewerCount());
        });
        for (int i = 1; i < counts.size(); i++) {
            assertThat(counts.get(i).viewerCount()).isEqualTo(counts.get(i - 1).viewerCount() + counts.get(i).change());
        }
        ViewerCountChanged last = counts.get(counts.size() - 1);
        assertThat(last.viewerCount()).isEqualTo(10_000);
        assertThat(last.peakViewers()).isEqualTo(10_000);
        assertThat(stream.viewerCounts()).isEqualTo(new ViewerCounts(10_000, 10_000));

        // Nothing more once the count is stable.
        int published = bus.events().size();
        waitTicks(stream.home(), interval);
        assertThat(bus.events()).hasSize(published);
    }

    @Test
    void aLargeAudienceIsAnnouncedLessOftenSoThatItsCountsKeepToTheBudget() throws Exception {
        EmbeddedChannel loop = new EmbeddedChannel();
        loop.freezeTime();
        // 20 ms ticks and 50,000 messages a second: 1,000 viewer-count messages per tick.
        StreamRegistry registry = new StreamRegistry(loop.eventLoop(), new FramePreEncoder(codec, trackingAllocator),
                bus, clock, 262_144, Duration.ofMillis(20), 50_000, Duration.ofMinutes(5));
        registries.add(registry);
        registry.register("big", METADATA);
        loop.runPendingTasks();
        Stream stream = registry.find("big").orElseThrow();
        Runnable tick = () -> {
            loop.advanceTimeBy(20, TimeUnit.MILLISECONDS);
            loop.runScheduledPendingTasks();
        };

        joined(stream, 1_000);
        tick.run();
        assertThat(announcedCounts()).as("up to the budget per tick: every tick").containsExactly(1_000);
        joined(stream, 1);
        tick.run();
        assertThat(announcedCounts()).containsExactly(1_000, 1_001);

        // 1,001 viewers cost two ticks' budget: the next change waits one tick more.
        joined(stream, 2_999);
        tick.run();
        assertThat(announcedCounts()).hasSize(2);
        tick.run();
        assertThat(announcedCounts()).containsExactly(1_000, 1_001, 4_000);

        // 4,000 viewers: four ticks from one announcement to the next.
        joined(stream, 1);
        for (int i = 0; i < 3; i++) {
            tick.run();
        }
        assertThat(announcedCounts()).hasSize(3);
        tick.run();
        assertThat(announcedCounts()).containsExactly(1_000, 1_001, 4_000, 4_001);

        // A count that does not change costs nothing and is not announced, however long it waits.
        for (int i = 0; i < 20; i++) {
            tick.run();
        }
        assertThat(announcedCounts()).hasSize(4);
        // The skip ran out while nothing changed: the next change goes out at the next tick, and once the
        // audience is small again, so does the one after it.
        for (int i = 0; i < 3_991; i++) {
            stream.viewerLeft();
        }
        tick.run();
        joined(stream, 5);
        tick.run();
        assertThat(announcedCounts()).containsExactly(1_000, 1_001, 4_000, 4_001, 10, 15);
        assertThat(loop.finishAndReleaseAll()).isFalse();
    }

    private static void joined(Stream stream, int viewers) {
        for (int i = 0; i < viewers; i++) {
            stream.viewerJoined();
        }
    }

    private List<Integer> announcedCounts() {
        return bus.events().stream().map(Recorded::message).filter(ViewerCountChanged.class::isInstance)
                .map(m -> ((ViewerCountChanged) m).viewerCount()).toList();
    }

    @Test
    void joinsAndLeavesThatCancelOutWithinAWindowAnnounceNothing() throws Exception {
        Duration interval = Duration.ofMillis(20);
        StreamRegistry registry = registry(262_144, interval, Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");

        // On the home loop, so no tick can run between the joins and the leaves.
        stream.home().submit(() -> {
            for (int i = 0; i < 10; i++) {
                stream.viewerJoined();
            }
            for (int i = 0; i < 10; i++) {
                stream.viewerLeft();
            }
        }).sync();
        waitTicks(stream.home(), interval);

        assertThat(bus.events()).extracting(r -> r.message().eventName()).containsExactly(EventNames.STREAM_STARTED);
        assertThat(stream.viewerCounts()).isEqualTo(new ViewerCounts(0, 10));
    }

    @Test
    void peakViewersIsTheTrueMaximumEvenBetweenTicks() throws Exception {
        Duration interval = Duration.ofMillis(20);
        StreamRegistry registry = registry(262_144, interval, Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");

        stream.home().submit(() -> {
            for (int i = 0; i < 5; i++) {
                stream.viewerJoined();
            }
            for (int i = 0; i < 5; i++) {
                stream.viewerLeft();
            }
            for (int i = 0; i < 3; i++) {
                stream.viewerJoined();
            }
        }).sync();
        bus.await(events -> events.size() == 2);

        assertThat(bus.events().get(1).message()).isEqualTo(new ViewerCountChanged("s1", 3, 5, 3, T0));

        stream.home().submit(() -> {
            for (int i = 0; i < 3; i++) {
                stream.viewerLeft();
            }
        }).sync();
        bus.await(events -> events.size() == 3);
        assertThat(bus.events().get(2).message()).isEqualTo(new ViewerCountChanged("s1", 0, 5, -3, T0));
        assertThat(bus.events().get(2).seq()).isEqualTo(3);
    }

    @Test
    void endReportsThePeakAndFinalCount() throws Exception {
        StreamRegistry registry = registry(262_144, Duration.ofHours(1), Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");
        for (int i = 0; i < 7; i++) {
            stream.viewerJoined();
        }
        for (int i = 0; i < 3; i++) {
            stream.viewerLeft();
        }
        clock.set(T0.plusMillis(3_600_999));

        Applied end = applied(registry.apply("s1", List.of(new StreamChange.End(EndReason.ERROR))));

        assertThat(end.state().status()).isEqualTo(StreamStatus.ENDED);
        assertThat(bus.events().get(1).message()).isEqualTo(new StreamEnded("s1", 3600, 7, 4, EndReason.ERROR,
                T0.plusMillis(3_600_999)));
        assertThat(bus.events().get(1).endOfStream()).isTrue();
    }

    @Test
    void anEndedStreamAnnouncesNoMoreViewerCounts() throws Exception {
        Duration interval = Duration.ofMillis(20);
        StreamRegistry registry = registry(262_144, interval, Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");
        applied(registry.apply("s1", List.of(new StreamChange.End(EndReason.BROADCASTER_ENDED))));

        stream.viewerJoined();
        waitTicks(stream.home(), interval);

        assertThat(bus.events()).extracting(r -> r.message().eventName())
                .containsExactly(EventNames.STREAM_STARTED, EventNames.STREAM_ENDED);
        assertThat(refused(registry.apply("s1", List.of(new StreamChange.Start()))).reason())
                .isEqualTo(Reason.CONFLICT);
        assertThat(refused(registry.register("s1", METADATA)).reason()).isEqualTo(Reason.CONFLICT);
    }

    @Test
    void endedStreamsAreForgottenAfterTheRetention() throws Exception {
        Duration retention = Duration.ofMillis(100);
        StreamRegistry registry = registry(262_144, Duration.ofMillis(20), retention);
        Stream stream = registerAndStart(registry, "s1");
        applied(registry.register("s2", METADATA));

        applied(registry.apply("s1", List.of(new StreamChange.End(EndReason.BROADCASTER_ENDED))));
        assertThat(registry.find("s1")).as("kept during the retention").contains(stream);

        // A task scheduled after the retention on the same loop runs after the forgetting.
        assertThat(stream.home().schedule(() -> { }, retention.toMillis() + 50, TimeUnit.MILLISECONDS)
                .await(5, TimeUnit.SECONDS)).isTrue();

        assertThat(registry.find("s1")).isEmpty();
        assertThat(bus.forgotten()).as("the bus may drop the stream's audience").containsExactly("s1");
        assertThat(registry.streams()).extracting(Stream::id).containsExactly("s2");
        assertThat(refused(registry.apply("s1", List.of(new StreamChange.Start()))).reason())
                .isEqualTo(Reason.NOT_FOUND);

        // The id can be registered again as a new stream.
        Applied again = applied(registry.register("s1", METADATA));
        assertThat(again.created()).isTrue();
        assertThat(again.state().seq()).isZero();
    }

    @Test
    void aStreamThatIsNotEndedIsNeverForgotten() throws Exception {
        StreamRegistry registry = registry(262_144, Duration.ofMillis(20), Duration.ofMillis(30));
        Stream stream = registerAndStart(registry, "s1");
        assertThat(stream.home().schedule(() -> { }, 100, TimeUnit.MILLISECONDS).await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(registry.find("s1")).contains(stream);
    }

    @Test
    void closeStopsTheViewerCountTicker() throws Exception {
        Duration interval = Duration.ofMillis(20);
        StreamRegistry registry = registry(262_144, interval, Duration.ofMinutes(5));
        Stream stream = registerAndStart(registry, "s1");

        registry.close();
        stream.viewerJoined();
        waitTicks(stream.home(), interval);

        assertThat(bus.events()).hasSize(1);
    }

    // -----------------------------------------------------------------------------------------------

    record Recorded(String streamId, long seq, ServerMessage message, boolean endOfStream) {
    }

    /** Decodes and releases every published frame, checking that its envelope carries the frame's seq. */
    static final class RecordingBus implements StreamEventBus {
        private final ProtocolCodec codec;
        private final List<Recorded> events = new ArrayList<>();
        private final List<String> problems = new ArrayList<>();
        private final List<String> forgotten = new ArrayList<>();

        RecordingBus(ProtocolCodec codec) {
            this.codec = codec;
        }

        @Override
        public synchronized void forget(String streamId) {
            forgotten.add(streamId);
        }

        synchronized List<String> forgotten() {
            return new ArrayList<>(forgotten);
        }

        @Override
        public void publish(StreamFrame event) {
            ByteBuf frame = event.frame();
            try {
                int payload = FramePreEncoder.payloadLength(frame);
                byte[] json = ByteBufUtil.getBytes(frame, frame.readerIndex() + frame.readableBytes() - payload, payload);
                DecodeResult<ServerMessage> decoded = codec.decodeServerMessage(json);
                synchronized (this) {
                    if (decoded instanceof DecodeResult.Decoded<ServerMessage> ok) {
                        if (ok.seq().isEmpty() || ok.seq().getAsLong() != event.seq()) {
                            problems.add("envelope seq " + ok.seq() + " for frame seq " + event.seq());
                        }
                        events.add(new Recorded(event.streamId(), event.seq(), ok.message(), event.endOfStream()));
                    } else {
                        problems.add("undecodable frame: " + decoded);
                    }
                    notifyAll();
                }
            } finally {
                frame.release();
            }
        }

        synchronized List<Recorded> events() {
            assertThat(problems).isEmpty();
            return List.copyOf(events);
        }

        synchronized void await(Predicate<List<Recorded>> condition) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!condition.test(events)) {
                long left = deadline - System.nanoTime();
                assertThat(left).as("condition reached in time; events so far: %s", events).isPositive();
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        }
    }

    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
