package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.buffer.PooledByteBufAllocator;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The acceptance test of the fan-out engine: a viewer that stops reading while 50,000 events (~100 MB) are
 * published gets a drop notice and then the newest events, a fast viewer of the same stream gets every event
 * in order, and the server's memory does not grow with what the slow viewer missed.
 */
class SlowViewerIntegrationTest {
    private static final String STREAM = "slow-and-fast";
    private static final int BUFFER_SIZE = 100;
    private static final int EVENTS = 50_000;
    private static final int BATCH = 500;
    private static final int MESSAGE_CHARS = 2_000;
    private static final Duration WAIT = Duration.ofSeconds(60);
    private static final Pattern DROPPED_METRIC = Pattern.compile("(?m)^nova_messages_dropped_total\\S* (\\S+)$");
    private static final Pattern LAGGING_METRIC = Pattern.compile("(?m)^nova_viewers_lagging\\S* (\\S+)$");
    private static final Pattern LATENCY_COUNT = Pattern.compile("(?m)^nova_fanout_latency_seconds_count\\S* (\\S+)$");

    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void slowViewerGetsTheDropNoticeThenTheNewestEventsWhileTheFastViewerGetsEverything() {
        fixture = ServerFixture.start(b -> b.bufferSize(BUFFER_SIZE)
                .pingInterval(Duration.ofMinutes(10)).pingTimeout(Duration.ofMinutes(5)).idleTimeout(Duration.ofHours(1)));
        Broadcaster broadcaster = fixture.broadcaster();
        broadcaster.goLive(STREAM);
        ViewerClient fast = fixture.viewer(STREAM, new ViewerClient.Options().lightweight());
        ViewerClient slow = fixture.viewer(STREAM, new ViewerClient.Options().lightweight()
                .pauseAfter(m -> m.event().equals("stream_started")));
        long startedSeq = fast.awaitEvent("stream_started", WAIT).seq();
        // A viewer's stream_started carries the seq of the state it joined at.
        long slowStartedSeq = slow.awaitEvent("stream_started", WAIT).seq();
        // Let both joins be announced, so that nothing but the published events follows.
        ItAssertions.sleep(300);
        long seqBeforePublishing = broadcaster.get(STREAM).json().get("seq").asLong();
        fast.awaitSeq(seqBeforePublishing, WAIT);

        Memory before = Memory.measure();
        long publishStarted = System.nanoTime();
        long lastSeq = 0;
        long volumeBytes = 0;
        for (int published = 0; published < EVENTS; published += BATCH) {
            String body = batch(published);
            volumeBytes += body.length();
            Broadcaster.Response response = broadcaster.events(STREAM, body);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            lastSeq = response.json().get("last_seq").asLong();
            // The fast viewer keeps up: it has read each batch before the next one is published.
            fast.awaitSeq(lastSeq, WAIT);
        }
        long publishMillis = (System.nanoTime() - publishStarted) / 1_000_000;
        fast.awaitSeq(lastSeq, WAIT);
        long fastMillis = (System.nanoTime() - publishStarted) / 1_000_000;
        Memory after = Memory.measure();

        assertThat(metric(LAGGING_METRIC)).as("viewers with a backlog: the slow one only").isEqualTo(1.0);
        assertThat(metric(LATENCY_COUNT)).as("fan-out latencies recorded").isGreaterThanOrEqualTo(EVENTS);

        slow.resume();
        slow.awaitSeq(lastSeq, WAIT);
        long slowMillis = (System.nanoTime() - publishStarted) / 1_000_000;

        List<ViewerClient.Received> slowHistory = slow.history();
        List<ViewerClient.Received> notices = slowHistory.stream().filter(SlowViewerIntegrationTest::isDropNotice).toList();
        long dropped = notices.stream().mapToLong(n -> n.data().get("dropped_count").asLong()).sum();
        long slowEvents = slowHistory.stream().filter(ViewerClient.Received::hasSeq).count();
        System.out.printf("[SlowViewer] %d events, %.1f MB published in %d ms; fast viewer done after %d ms, slow after %d ms%n",
                EVENTS, volumeBytes / 1e6, publishMillis, fastMillis, slowMillis);
        System.out.printf("[SlowViewer] slow viewer: %d stream events, %d drop notice(s), %d dropped%n",
                slowEvents, notices.size(), dropped);
        System.out.printf("[SlowViewer] heap used: %.1f MB before, %.1f MB after (growth %.1f MB)%n",
                before.heap / 1e6, after.heap / 1e6, (after.heap - before.heap) / 1e6);
        System.out.printf("[SlowViewer] direct memory: default allocator (%s) %.1f -> %.1f MB, pooled allocator %.1f -> %.1f MB,"
                        + " JDK direct buffers %.1f -> %.1f MB%n", ByteBufAllocator.DEFAULT.getClass().getSimpleName(),
                before.defaultDirect / 1e6, after.defaultDirect / 1e6, before.pooledDirect / 1e6, after.pooledDirect / 1e6,
                before.jdkDirect / 1e6, after.jdkDirect / 1e6);

        // The fast viewer: every event, in order, and no notice.
        List<ViewerClient.Received> fastEvents = fast.history().stream().filter(ViewerClient.Received::hasSeq).toList();
        ItAssertions.assertContiguous(fastEvents);
        assertThat(fastEvents.get(0).seq()).isEqualTo(startedSeq);
        assertThat(fastEvents.get(fastEvents.size() - 1).seq()).isEqualTo(lastSeq);
        assertThat(fastEvents.stream().filter(m -> m.seq() > seqBeforePublishing)).hasSize(EVENTS);
        assertThat(fast.history().stream().filter(SlowViewerIntegrationTest::isDropNotice)).isEmpty();

        // The slow viewer: notices that account exactly for the gaps, and the newest events at the end.
        assertThat(notices).isNotEmpty();
        for (ViewerClient.Received notice : notices) {
            assertThat(notice.data().get("severity").asText()).isEqualTo("warning");
            assertThat(notice.data().get("recoverable").asBoolean()).isTrue();
            assertThat(notice.data().get("dropped_count").asLong()).isPositive();
            assertThat(notice.data().get("timestamp").asText()).matches(ItAssertions.ISO_MILLIS_UTC);
        }
        assertGapsAreAnnounced(slowHistory);
        List<ViewerClient.Received> slowStream = slowHistory.stream().filter(ViewerClient.Received::hasSeq).toList();
        assertThat(slowStream.get(0).seq()).isEqualTo(slowStartedSeq);
        assertThat(slowStream.get(slowStream.size() - 1).seq()).as("the newest event arrives last").isEqualTo(lastSeq);
        assertThat(slowEvents - 1 + dropped).as("received + dropped = published").isEqualTo(lastSeq - slowStartedSeq);
        int lastNotice = notices.get(notices.size() - 1).index();
        long afterLastNotice = slowHistory.subList(lastNotice, slowHistory.size()).stream()
                .filter(ViewerClient.Received::hasSeq).count();
        assertThat(afterLastNotice).as("after the last notice: the retained buffer, newest events only")
                .isPositive().isLessThanOrEqualTo(BUFFER_SIZE);
        assertThat(droppedMetric()).isEqualTo((double) dropped);
        // The server counts the viewer as caught up right after the flush that the viewer has just read.
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (metric(LAGGING_METRIC) != 0 && System.nanoTime() < deadline) {
            ItAssertions.sleep(10);
        }
        assertThat(metric(LAGGING_METRIC)).as("the slow viewer has caught up").isZero();

        // Memory: what the slow viewer missed was not kept anywhere.
        long allowed = volumeBytes / 4;
        assertThat(after.heap - before.heap).as("heap growth").isLessThan(allowed);
        // The server allocates frames from Netty's default allocator (adaptive in 4.2), so that is the one to watch.
        assertThat(before.defaultDirect).as("the default allocator reports its memory").isNotNegative();
        assertThat(after.defaultDirect - before.defaultDirect).as("direct memory growth of the default allocator")
                .isLessThan(allowed);
    }

    /**
     * The fast viewer's half of the acceptance test on its own: a viewer that reads everything as it comes must
     * not lose any event of one published batch. {@code BATCH} events of 2 KB are 1 MB: far more than the
     * write-buffer high watermark (64 KB) plus the outbox (100 frames), but nothing a reading loopback peer
     * cannot take at once.
     */
    @Test
    void viewerThatReadsEverythingLosesNothingOfOneLargeBatch() {
        fixture = ServerFixture.start(b -> b.bufferSize(BUFFER_SIZE));
        Broadcaster broadcaster = fixture.broadcaster();
        broadcaster.goLive(STREAM);
        ViewerClient viewer = fixture.viewer(STREAM, new ViewerClient.Options().lightweight());
        viewer.awaitEvent("stream_started", WAIT);
        ItAssertions.sleep(200);
        long before = broadcaster.get(STREAM).json().get("seq").asLong();
        viewer.awaitSeq(before, WAIT);

        Broadcaster.Response response = broadcaster.events(STREAM, batch(0));
        assertThat(response.status()).isEqualTo(200);
        long last = response.json().get("last_seq").asLong();
        viewer.awaitSeq(last, WAIT);

        List<ViewerClient.Received> history = viewer.history();
        assertThat(history.stream().filter(SlowViewerIntegrationTest::isDropNotice))
                .as("drop notices for a viewer that reads everything").isEmpty();
        List<ViewerClient.Received> events = history.stream().filter(m -> m.hasSeq() && m.seq() > before).toList();
        assertThat(events).hasSize(BATCH);
        ItAssertions.assertContiguous(events);
    }

    /** A viewer that stops reading does not keep its connection after the end of the stream. */
    @Test
    void viewerThatStopsReadingIsDisconnectedAfterTheEndOfTheStream() {
        Duration grace = Duration.ofMillis(500);
        Duration pingTimeout = Duration.ofMillis(500);
        fixture = ServerFixture.start(b -> b.bufferSize(BUFFER_SIZE).endGracePeriod(grace)
                .pingInterval(Duration.ofMinutes(10)).pingTimeout(pingTimeout).idleTimeout(Duration.ofHours(1)));
        Broadcaster broadcaster = fixture.broadcaster();
        broadcaster.goLive(STREAM);
        ViewerClient stuck = fixture.viewer(STREAM, new ViewerClient.Options().lightweight()
                .pauseAfter(m -> m.event().equals("stream_started")));
        stuck.awaitEvent("stream_started", WAIT);
        for (int i = 0; i < 10; i++) {
            assertThat(broadcaster.events(STREAM, batch(i * BATCH)).status()).isEqualTo(200);
        }
        assertThat(broadcaster.end(STREAM, "broadcaster_ended").status()).isEqualTo(200);
        long ended = System.nanoTime();

        long deadline = ended + Duration.ofSeconds(10).toNanos();
        int viewers = -1;
        while (System.nanoTime() < deadline && (viewers = broadcaster.get(STREAM).json().get("viewer_count").asInt()) != 0) {
            ItAssertions.sleep(50);
        }
        long millis = (System.nanoTime() - ended) / 1_000_000;
        System.out.printf("[SlowViewer] a viewer that stopped reading was disconnected %d ms after the end%n", millis);
        assertThat(viewers).as("viewers still connected 10 s after the end").isZero();
        assertThat(millis).isLessThan(grace.plus(pingTimeout).toMillis() + 2_000);
    }

    /** {@code BATCH} error events of about 2 KB each, numbered from {@code first}. */
    private static String batch(int first) {
        String padding = "x".repeat(MESSAGE_CHARS);
        StringBuilder body = new StringBuilder(BATCH * (MESSAGE_CHARS + 150)).append('[');
        for (int i = 0; i < BATCH; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"event\":\"error\",\"data\":{\"error_code\":\"BUFFER_OVERFLOW\",\"error_message\":\"event ")
                    .append(first + i).append(' ').append(padding)
                    .append("\",\"severity\":\"warning\",\"recoverable\":true}}");
        }
        return body.append(']').toString();
    }

    private static boolean isDropNotice(ViewerClient.Received m) {
        return !m.hasSeq() && m.event().equals("error") && m.data() != null
                && "MESSAGES_DROPPED".equals(m.data().path("error_code").asText());
    }

    /** Between two consecutive stream events, the notices in between announce exactly the seqs skipped. */
    private static void assertGapsAreAnnounced(List<ViewerClient.Received> history) {
        ViewerClient.Received previous = null;
        long announced = 0;
        for (ViewerClient.Received m : history) {
            if (isDropNotice(m)) {
                announced += m.data().get("dropped_count").asLong();
            } else if (m.hasSeq()) {
                if (previous != null) {
                    assertThat(m.seq()).as("seq after %s", previous).isGreaterThan(previous.seq());
                    assertThat(m.seq() - previous.seq() - 1).as("gap between %s and %s", previous, m).isEqualTo(announced);
                }
                previous = m;
                announced = 0;
            }
        }
        assertThat(announced).as("a notice after the last event").isZero();
    }

    private double metric(Pattern metric) {
        Matcher m = metric.matcher(fixture.server().scrapeMetrics());
        assertThat(m.find()).as("%s in /metrics", metric).isTrue();
        return Double.parseDouble(m.group(1));
    }

    private double droppedMetric() {
        Matcher m = DROPPED_METRIC.matcher(fixture.server().scrapeMetrics());
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    /** Heap after a full collection, and the direct memory of Netty's allocators and the JDK. */
    private record Memory(long heap, long defaultDirect, long pooledDirect, long jdkDirect) {
        static Memory measure() {
            for (int i = 0; i < 3; i++) {
                System.gc();
                ItAssertions.sleep(50);
            }
            long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            long defaultDirect = ByteBufAllocator.DEFAULT instanceof ByteBufAllocatorMetricProvider provider
                    ? provider.metric().usedDirectMemory() : -1;
            long pooledDirect = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
            long jdkDirect = 0;
            for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
                if (pool.getName().equals("direct")) {
                    jdkDirect = pool.getMemoryUsed();
                }
            }
            return new Memory(heap, defaultDirect, pooledDirect, jdkDirect);
        }
    }
}
