package io.nova.fanout.server.it;

import static io.nova.fanout.server.it.ItAssertions.assertContiguous;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several viewers of one stream receive every published event, in one order, with contiguous {@code seq}s and
 * the fields the server fills in; the end of the stream is announced and closes every connection.
 */
class FanoutOrderIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String STREAM = "fanout-order";
    private static final int EVENTS = 300;
    private static final String[] QUALITIES = {"480p", "720p", "1080p", "4k", "auto"};
    private static final String[] QUALITY_REASONS = {"adaptive_bitrate", "broadcaster_changed", "network_congestion",
            "quality_degradation"};
    private static final String[] ERROR_CODES = {"RTMP_CONNECTION_LOST", "RTMP_HANDSHAKE_FAILED", "BUFFER_OVERFLOW",
            "RATE_LIMITED", "SERVER_ERROR"};
    private static final String[] SEVERITIES = {"info", "warning", "error", "critical"};

    private ServerFixture fixture;
    private Broadcaster broadcaster;

    @BeforeEach
    void startServer() {
        fixture = ServerFixture.start();
        broadcaster = fixture.broadcaster();
        broadcaster.goLive(STREAM);
    }

    @AfterEach
    void stopServer() {
        fixture.close();
    }

    /** What the broadcaster sent, the seq it got, and the data every viewer must see (without timestamp). */
    private record Expected(long seq, ObjectNode sent, JsonNode expectedData) {
        String event() {
            return sent.get("event").asText();
        }
    }

    @Test
    void everyViewerReceivesEveryEventInOneOrderWithServerFilledFields() {
        List<ViewerClient> viewers = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ViewerClient viewer = fixture.viewer(STREAM);
            viewer.awaitEvent("stream_started", WAIT);
            viewers.add(viewer);
        }

        List<Expected> expected = publishMix(new Random(20251021));
        long firstSeq = expected.get(0).seq();
        long lastSeq = expected.get(expected.size() - 1).seq();
        for (ViewerClient viewer : viewers) {
            viewer.awaitSeq(lastSeq, WAIT);
        }

        List<String> reference = null;
        for (ViewerClient viewer : viewers) {
            List<ViewerClient.Received> events = viewer.history().stream().filter(ViewerClient.Received::hasSeq).toList();
            assertContiguous(events);
            List<ViewerClient.Received> published = events.stream()
                    .filter(m -> m.seq() >= firstSeq && !m.event().equals("viewer_count_changed"))
                    .toList();
            assertThat(published).hasSize(EVENTS);
            for (int i = 0; i < EVENTS; i++) {
                ViewerClient.Received got = published.get(i);
                Expected want = expected.get(i);
                assertThat(got.seq()).as("seq of published event %d", i).isEqualTo(want.seq());
                assertThat(got.event()).as("event %d", i).isEqualTo(want.event());
                assertThat(got.data().get("timestamp").asText()).matches(ItAssertions.ISO_MILLIS_UTC);
                ObjectNode withoutTimestamp = got.data().deepCopy();
                withoutTimestamp.remove("timestamp");
                assertThat(withoutTimestamp).as("data of %s", got).isEqualTo(want.expectedData());
            }
            // Encoded once: every viewer gets the same frames, byte for byte, from the first published seq on.
            List<String> raw = events.stream().filter(m -> m.seq() >= firstSeq).map(m -> m.seq() + " " + m.raw()).toList();
            if (reference == null) {
                reference = raw;
            } else {
                assertThat(raw).isEqualTo(reference);
            }
            assertThat(viewer.protocolViolations()).isEmpty();
        }

        assertStreamInfoReflects(viewers.get(0), expected);

        // The end: stream_ended, then a normal close; afterwards the stream refuses new viewers with 410.
        Broadcaster.Response end = broadcaster.end(STREAM, "broadcaster_ended");
        assertThat(end.status()).isEqualTo(200);
        for (ViewerClient viewer : viewers) {
            ViewerClient.Received ended = viewer.awaitEvent("stream_ended", WAIT);
            assertThat(ended.seq()).isEqualTo(end.json().get("last_seq").asLong()).isGreaterThan(lastSeq);
            JsonNode data = ended.data();
            assertThat(data.get("stream_id").asText()).isEqualTo(STREAM);
            assertThat(data.get("duration_seconds").asLong()).isBetween(0L, 60L);
            assertThat(data.get("peak_viewers").asInt()).isEqualTo(3);
            assertThat(data.get("final_viewer_count").asInt()).isEqualTo(3);
            assertThat(data.get("reason").asText()).isEqualTo("broadcaster_ended");
            assertThat(viewer.awaitClose(WAIT).code()).isEqualTo(1000);
            List<ViewerClient.Received> history = viewer.history();
            assertThat(history.get(history.size() - 1).event()).as("stream_ended is the last message").isEqualTo("stream_ended");
        }
        ItAssertions.assertRefusal(RawHttp.upgrade(fixture.port(),
                ServerFixture.viewerTarget(STREAM, fixture.viewerToken("late")), Map.of()), 410, "STREAM_ENDED");
    }

    @Test
    void viewerThatJoinsMidStreamSeesNoGapFromItsFirstSeq() {
        ViewerClient early = fixture.viewer(STREAM);
        early.awaitEvent("stream_started", WAIT);
        Random random = new Random(7);
        long last = 0;
        ViewerClient late = null;
        for (int batch = 0; batch < 20; batch++) {
            ArrayNode events = Json.array();
            for (int i = 0; i < 10; i++) {
                events.add(Broadcaster.bitrateUpdate(1000 + random.nextInt(5000)));
            }
            last = broadcaster.events(STREAM, events.toString()).json().get("last_seq").asLong();
            if (batch == 10) {
                late = fixture.viewer(STREAM);
            }
        }
        early.awaitSeq(last, WAIT);
        late.awaitSeq(last, WAIT);
        assertContiguous(early.history().stream().filter(ViewerClient.Received::hasSeq).toList());
        List<ViewerClient.Received> lateEvents = late.history().stream().filter(ViewerClient.Received::hasSeq).toList();
        assertThat(lateEvents.get(0).event()).isEqualTo("stream_started");
        // stream_started carries the seq of the snapshot the late viewer joined at: the next event follows it.
        assertContiguous(lateEvents);
    }

    /** Joins racing with a publisher: each viewer still sees every event after the state it joined at, once. */
    @Test
    void viewersJoiningWhileEventsArePublishedSeeNoGapAndNoDuplicate() throws Exception {
        int batches = 150;
        CompletableFuture<Long> publisher = CompletableFuture.supplyAsync(() -> {
            long last = 0;
            for (int batch = 0; batch < batches; batch++) {
                ArrayNode events = Json.array();
                for (int i = 0; i < 5; i++) {
                    events.add(Broadcaster.bitrateUpdate(1000 + batch * 5 + i));
                }
                Broadcaster.Response response = broadcaster.events(STREAM, events.toString());
                if (response.status() != 200) {
                    throw new AssertionError("publishing failed: " + response);
                }
                last = response.json().get("last_seq").asLong();
            }
            return last;
        });
        List<CompletableFuture<ViewerClient>> joining = new ArrayList<>();
        for (int i = 0; i < 30 && !publisher.isDone(); i++) {
            joining.add(ViewerClient.connectAsync(fixture.viewerUri(STREAM, fixture.viewerToken(fixture.nextViewerId())),
                    new ViewerClient.Options()));
            ItAssertions.sleep(5);
        }
        long last = publisher.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        assertThat(joining).as("viewers that joined while publishing").hasSizeGreaterThanOrEqualTo(5);
        for (CompletableFuture<ViewerClient> future : joining) {
            ViewerClient viewer = fixture.track(future.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
            viewer.awaitSeq(last, WAIT);
            List<ViewerClient.Received> events = viewer.history().stream().filter(ViewerClient.Received::hasSeq).toList();
            assertThat(events.get(0).event()).isEqualTo("stream_started");
            assertContiguous(events);
        }
    }

    private void assertStreamInfoReflects(ViewerClient asker, List<Expected> expected) {
        String quality = "1080p";
        int bitrate = 5000;
        for (Expected e : expected) {
            JsonNode data = e.sent().get("data");
            if (e.event().equals("quality_changed")) {
                quality = data.get("new_quality").asText();
                bitrate = data.get("new_bitrate_kbps").asInt();
            } else if (e.event().equals("bitrate_update")) {
                bitrate = data.get("current_bitrate_kbps").asInt();
            }
        }
        asker.send("{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"req-12345\"}}");
        JsonNode info = asker.awaitEvent("stream_info", WAIT).data();
        assertThat(info.get("request_id").asText()).isEqualTo("req-12345");
        assertThat(info.get("stream_id").asText()).isEqualTo(STREAM);
        assertThat(info.get("status").asText()).isEqualTo("active");
        assertThat(info.get("quality").asText()).isEqualTo(quality);
        assertThat(info.get("bitrate_kbps").asInt()).isEqualTo(bitrate);
        assertThat(info.get("fps").asInt()).isEqualTo(60);
        assertThat(info.get("viewer_count").asInt()).isEqualTo(3);
        assertThat(info.get("peak_viewers").asInt()).isEqualTo(3);
        assertThat(info.get("broadcaster_name").asText()).isEqualTo("Streamer123");
    }

    /** Publishes {@link #EVENTS} events as single objects and arrays, tracking the stream state they imply. */
    private List<Expected> publishMix(Random random) {
        List<Expected> expected = new ArrayList<>();
        String quality = "1080p";
        int nominal = 5000;
        int published = 0;
        while (published < EVENTS) {
            int n = Math.min(EVENTS - published, random.nextInt(4) == 0 ? 1 : 1 + random.nextInt(40));
            boolean single = n == 1 && random.nextBoolean();
            List<ObjectNode> batch = new ArrayList<>();
            List<JsonNode> data = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int kind = random.nextInt(3);
                if (kind == 0) {
                    String q = QUALITIES[random.nextInt(QUALITIES.length)];
                    int bitrate = 500 + random.nextInt(8000);
                    String reason = QUALITY_REASONS[random.nextInt(QUALITY_REASONS.length)];
                    batch.add(Broadcaster.qualityChanged(q, bitrate, reason));
                    data.add(Json.object().put("stream_id", STREAM).put("previous_quality", quality).put("new_quality", q)
                            .put("previous_bitrate_kbps", nominal).put("new_bitrate_kbps", bitrate).put("fps", 60)
                            .put("reason", reason));
                    quality = q;
                    nominal = bitrate;
                } else if (kind == 1) {
                    int current = bitrateFor(random, nominal);
                    batch.add(Broadcaster.bitrateUpdate(current));
                    data.add(Json.object().put("stream_id", STREAM).put("current_bitrate_kbps", current)
                            .put("quality", quality).put("health", health(current, nominal)));
                } else {
                    String code = ERROR_CODES[random.nextInt(ERROR_CODES.length)];
                    String severity = SEVERITIES[random.nextInt(SEVERITIES.length)];
                    boolean recoverable = random.nextBoolean();
                    String message = "error number " + (published + i);
                    batch.add(Broadcaster.error(code, message, severity, recoverable));
                    data.add(Json.object().put("error_code", code).put("error_message", message).put("severity", severity)
                            .put("recoverable", recoverable).put("suggested_action", "Refresh page or try again later"));
                }
            }
            String body;
            if (single) {
                body = batch.get(0).toString();
            } else {
                ArrayNode array = Json.array();
                batch.forEach(array::add);
                body = array.toString();
            }
            Broadcaster.Response response = broadcaster.events(STREAM, body);
            assertThat(response.status()).as("%s", response).isEqualTo(200);
            long first = response.json().get("first_seq").asLong();
            long last = response.json().get("last_seq").asLong();
            assertThat(last - first + 1).as("one seq per event of %s", response).isEqualTo(n);
            for (int i = 0; i < n; i++) {
                expected.add(new Expected(first + i, batch.get(i), data.get(i)));
            }
            published += n;
        }
        return expected;
    }

    /** A measurement in every health band, including the exact band edges. */
    private static int bitrateFor(Random random, int nominal) {
        return switch (random.nextInt(8)) {
            case 0 -> nominal * 9 / 10;
            case 1 -> nominal * 7 / 10;
            case 2 -> nominal / 2;
            case 3 -> nominal + random.nextInt(500);
            default -> random.nextInt(nominal + 1);
        };
    }

    /** Seed 003: excellent above 90 %, good 70-90 %, fair 50-70 %, poor below 50 % of the nominal bitrate. */
    private static String health(int current, int nominal) {
        double ratio = (double) current / nominal;
        if (ratio > 0.9) {
            return "excellent";
        }
        if (ratio >= 0.7) {
            return "good";
        }
        if (ratio >= 0.5) {
            return "fair";
        }
        return "poor";
    }
}
