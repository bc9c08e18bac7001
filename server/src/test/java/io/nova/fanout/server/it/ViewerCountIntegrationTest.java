package io.nova.fanout.server.it;

import static io.nova.fanout.server.it.ItAssertions.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** viewer_count_changed is batched per window, carries the net change, and the true peak. */
class ViewerCountIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String STREAM = "counted";
    private static final int JOINS = 200;
    private static final int LEAVES = 100;
    private static final long INTERVAL_MILLIS = 50;

    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void manyJoinsAndLeavesAreBatchedIntoFewNetChanges() throws Exception {
        fixture = ServerFixture.start(b -> b.viewerCountInterval(Duration.ofMillis(INTERVAL_MILLIS)));
        fixture.broadcaster().goLive(STREAM);
        ViewerClient observer = fixture.viewer(STREAM);
        awaitCount(observer, 1);
        int mark = observer.history().size();

        long started = System.nanoTime();
        List<CompletableFuture<ViewerClient>> connecting = new ArrayList<>();
        for (int i = 0; i < JOINS; i++) {
            connecting.add(ViewerClient.connectAsync(fixture.viewerUri(STREAM, fixture.viewerToken(fixture.nextViewerId())),
                    new ViewerClient.Options()));
        }
        List<ViewerClient> joined = new ArrayList<>();
        for (CompletableFuture<ViewerClient> c : connecting) {
            joined.add(fixture.track(c.get(WAIT.toMillis(), TimeUnit.MILLISECONDS)));
        }
        awaitCount(observer, JOINS + 1);
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;

        List<ViewerClient.Received> joinEvents = countEventsSince(observer, mark);
        long allowed = elapsedMillis / INTERVAL_MILLIS + 3;
        System.out.printf("[ViewerCount] %d joins in %d ms -> %d viewer_count_changed events (allowed %d)%n",
                JOINS, elapsedMillis, joinEvents.size(), allowed);
        assertThat((long) joinEvents.size()).isLessThanOrEqualTo(allowed);
        assertThat(joinEvents).allSatisfy(e -> assertThat(e.data().get("change").asInt()).isNotZero());
        assertThat(sumOfChanges(joinEvents)).isEqualTo(JOINS);
        JsonNode lastJoin = joinEvents.get(joinEvents.size() - 1).data();
        assertThat(lastJoin.get("viewer_count").asInt()).isEqualTo(JOINS + 1);
        assertThat(lastJoin.get("peak_viewers").asInt()).isEqualTo(JOINS + 1);
        assertThat(lastJoin.get("stream_id").asText()).isEqualTo(STREAM);
        assertConsistent(joinEvents, 1);

        mark = observer.history().size();
        for (int i = 0; i < LEAVES; i++) {
            joined.get(i).closeAsync();
        }
        awaitCount(observer, JOINS + 1 - LEAVES);
        List<ViewerClient.Received> leaveEvents = countEventsSince(observer, mark);
        assertThat(leaveEvents).allSatisfy(e -> assertThat(e.data().get("change").asInt()).isNegative());
        assertThat(sumOfChanges(leaveEvents)).isEqualTo(-LEAVES);
        JsonNode lastLeave = leaveEvents.get(leaveEvents.size() - 1).data();
        assertThat(lastLeave.get("viewer_count").asInt()).isEqualTo(JOINS + 1 - LEAVES);
        assertThat(lastLeave.get("peak_viewers").asInt()).as("the peak stays the maximum").isEqualTo(JOINS + 1);
        assertConsistent(leaveEvents, JOINS + 1);

        JsonNode view = fixture.broadcaster().get(STREAM).json();
        assertThat(view.get("viewer_count").asInt()).isEqualTo(JOINS + 1 - LEAVES);
        assertThat(view.get("peak_viewers").asInt()).isEqualTo(JOINS + 1);
        assertThat(observer.protocolViolations()).isEmpty();
    }

    @Test
    void joinAndLeaveWithinOneWindowAnnounceNothing() {
        long windowMillis = 1_000;
        fixture = ServerFixture.start(b -> b.viewerCountInterval(Duration.ofMillis(windowMillis)));
        fixture.broadcaster().goLive(STREAM);
        ViewerClient observer = fixture.viewer(STREAM);
        // The observer's own join is announced at a tick; its timestamp gives the phase of the windows.
        Instant tick = Instant.parse(awaitCount(observer, 1).data().get("timestamp").asText());
        int mark = observer.history().size();

        // Start 200 ms into a window, so that join and leave (a few ms apart) fall into that same window.
        long sinceTick = Duration.between(tick, Instant.now()).toMillis();
        sleep(windowMillis - (sinceTick % windowMillis) + 200);
        Instant joinStarted = Instant.now();
        ViewerClient passer = fixture.viewer(STREAM);
        passer.awaitEvent("connection_established", WAIT);
        passer.close();
        Instant leftAt = Instant.now();
        long phaseStart = Duration.between(tick, joinStarted).toMillis() % windowMillis;
        long phaseEnd = phaseStart + Duration.between(joinStarted, leftAt).toMillis();
        assertThat(phaseEnd).as("join and leave inside one window (%d..%d ms of %d)", phaseStart, phaseEnd, windowMillis)
                .isLessThan(windowMillis - 100);

        // Two more ticks pass: neither may announce anything.
        sleep(2 * windowMillis);
        assertThat(countEventsSince(observer, mark)).isEmpty();
        assertThat(fixture.broadcaster().get(STREAM).json().get("peak_viewers").asInt())
                .as("the peak still counts the viewer who came and went").isEqualTo(2);
    }

    @Test
    void peakCountsViewersThatLeftBeforeTheNextTick() {
        fixture = ServerFixture.start(b -> b.viewerCountInterval(Duration.ofSeconds(1)));
        fixture.broadcaster().goLive(STREAM);
        ViewerClient observer = fixture.viewer(STREAM);
        awaitCount(observer, 1);
        int mark = observer.history().size();
        List<ViewerClient> visitors = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            visitors.add(fixture.viewer(STREAM));
        }
        for (ViewerClient v : visitors) {
            v.awaitEvent("connection_established", WAIT);
        }
        // Four of the five leave again; however the ticks fall, the count ends at 2 and the peak is 6.
        for (int i = 0; i < 4; i++) {
            visitors.get(i).close();
        }
        ViewerClient.Received event = awaitCount(observer, 2);
        assertThat(sumOfChanges(countEventsSince(observer, mark))).isEqualTo(1);
        assertThat(event.data().get("peak_viewers").asInt()).isEqualTo(6);
    }

    private static ViewerClient.Received awaitCount(ViewerClient observer, int count) {
        return observer.await(m -> m.event().equals("viewer_count_changed") && m.data().get("viewer_count").asInt() == count,
                "viewer_count " + count, WAIT);
    }

    private static List<ViewerClient.Received> countEventsSince(ViewerClient observer, int mark) {
        List<ViewerClient.Received> all = observer.history();
        return all.subList(mark, all.size()).stream().filter(m -> m.event().equals("viewer_count_changed")).toList();
    }

    private static int sumOfChanges(List<ViewerClient.Received> events) {
        return events.stream().mapToInt(e -> e.data().get("change").asInt()).sum();
    }

    /** Each event's change takes the previous count to its own; the peak never falls below the count. */
    private static void assertConsistent(List<ViewerClient.Received> events, int countBefore) {
        int count = countBefore;
        int peak = 0;
        for (ViewerClient.Received e : events) {
            count += e.data().get("change").asInt();
            assertThat(e.data().get("viewer_count").asInt()).as("%s", e).isEqualTo(count);
            assertThat(e.data().get("peak_viewers").asInt()).as("%s", e).isGreaterThanOrEqualTo(Math.max(count, peak));
            peak = e.data().get("peak_viewers").asInt();
        }
    }
}
