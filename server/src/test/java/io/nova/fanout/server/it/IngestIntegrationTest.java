package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The ingest WebSocket: one event per message, one answer per message, in order. */
class IngestIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String A = "ingest-a";
    private static final String B = "ingest-b";

    private static ServerFixture fixture;

    @BeforeAll
    static void startServer() {
        fixture = ServerFixture.start();
        fixture.broadcaster().goLive(A);
        fixture.broadcaster().goLive(B);
    }

    @AfterAll
    static void stopServer() {
        fixture.close();
    }

    @Test
    void everyMessageIsAnsweredInOrderAndFannedOut() {
        ViewerClient viewer = fixture.viewer(A);
        viewer.await(m -> m.event().equals("viewer_count_changed"), "own join announced", WAIT);
        long seqA = fixture.broadcaster().get(A).json().get("seq").asLong();
        long seqB = fixture.broadcaster().get(B).json().get("seq").asLong();

        ViewerClient ingest = connectIngest(fixture.broadcasterToken());
        int total = 200;
        int invalidAt = 100;
        int unknownStreamAt = 150;
        List<String> streams = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            String stream = i % 2 == 0 ? A : B;
            ObjectNode event;
            if (i == invalidAt) {
                event = Broadcaster.bitrateUpdate(-5);
            } else if (i % 3 == 0) {
                event = Broadcaster.qualityChanged(i % 2 == 0 ? "720p" : "1080p", 3000 + i, "adaptive_bitrate");
            } else if (i % 3 == 1) {
                event = Broadcaster.bitrateUpdate(2000 + i);
            } else {
                event = Broadcaster.error("BUFFER_OVERFLOW", "ingest error " + i, "warning", true);
            }
            String target = i == unknownStreamAt ? "no-such-stream" : stream;
            event.put("stream_id", target);
            streams.add(target);
            ingest.send(event.toString());
        }

        List<JsonNode> answers = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            answers.add(Json.parse(ingest.next(WAIT).raw()));
        }
        List<Long> expectedSeqsForA = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            JsonNode answer = answers.get(i);
            if (i == invalidAt || i == unknownStreamAt) {
                assertThat(Json.fieldNames(answer)).as("answer %d", i)
                        .containsExactlyInAnyOrder("success", "error");
                assertThat(answer.get("success").asBoolean()).isFalse();
                assertThat(answer.get("error").asText()).isNotBlank();
                continue;
            }
            assertThat(Json.fieldNames(answer)).as("answer %d: %s", i, answer)
                    .containsExactlyInAnyOrder("success", "seq");
            assertThat(answer.get("success").asBoolean()).isTrue();
            long seq = answer.get("seq").asLong();
            if (streams.get(i).equals(A)) {
                assertThat(seq).as("answer %d", i).isEqualTo(++seqA);
                expectedSeqsForA.add(seq);
            } else {
                assertThat(seq).as("answer %d", i).isEqualTo(++seqB);
            }
        }
        assertThat(answers.get(invalidAt).get("error").asText()).contains("current_bitrate_kbps");

        viewer.awaitSeq(seqA, WAIT);
        List<Long> seen = viewer.history().stream().filter(m -> m.hasSeq() && m.seq() >= expectedSeqsForA.get(0))
                .map(ViewerClient.Received::seq).toList();
        assertThat(seen).isEqualTo(expectedSeqsForA);
        assertThat(ingest.isOpen()).isTrue();
        ingest.close();
        viewer.close();
    }

    @Test
    void malformedMessagesAreAnsweredWithoutClosingTheSocket() {
        ViewerClient ingest = connectIngest(fixture.broadcasterToken());
        ingest.send("{not json");
        ingest.send("{\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":100}}");
        ingest.send("{\"stream_id\":\"" + A + "\",\"event\":\"stream_started\",\"data\":{}}");
        ObjectNode ok = Broadcaster.bitrateUpdate(4000);
        ok.put("stream_id", A);
        ingest.send(ok.toString());
        for (int i = 0; i < 3; i++) {
            JsonNode answer = Json.parse(ingest.next(WAIT).raw());
            assertThat(answer.get("success").asBoolean()).as("answer %d: %s", i, answer).isFalse();
            assertThat(answer.get("error").asText()).isNotBlank();
        }
        assertThat(Json.parse(ingest.next(WAIT).raw()).get("success").asBoolean()).isTrue();
        ingest.close();
    }

    @Test
    void streamsClaimLimitsWhichStreamsTheSocketMayDrive() {
        String limited = fixture.minter().broadcasterToken("limited", ServerFixture.TOKEN_TTL, List.of(A));
        ViewerClient ingest = connectIngest(limited);
        ObjectNode forB = Broadcaster.bitrateUpdate(4000);
        forB.put("stream_id", B);
        ingest.send(forB.toString());
        ObjectNode forA = Broadcaster.bitrateUpdate(4000);
        forA.put("stream_id", A);
        ingest.send(forA.toString());
        JsonNode refused = Json.parse(ingest.next(WAIT).raw());
        assertThat(refused.get("success").asBoolean()).isFalse();
        assertThat(Json.parse(ingest.next(WAIT).raw()).get("success").asBoolean()).isTrue();
        ingest.close();
    }

    @Test
    void upgradeWithoutTokenIsRefusedWith401() {
        assertThat(ViewerClient.refusedStatus(fixture.ingestUri(), new ViewerClient.Options().unchecked())).isEqualTo(401);
        RawHttp.Response response = RawHttp.upgrade(fixture.internalPort(), "/internal/v1/ingest", Map.of());
        assertThat(response.status()).isEqualTo(401);
        assertThat(Json.parse(response.bodyText()).get("error_code").asText()).isEqualTo("CONNECTION_REJECTED");
    }

    @Test
    void upgradeWithAViewerTokenIsRefusedWith403() {
        ViewerClient.Options options = new ViewerClient.Options().unchecked()
                .header("Authorization", "Bearer " + fixture.viewerToken("not-a-broadcaster"));
        assertThat(ViewerClient.refusedStatus(fixture.ingestUri(), options)).isEqualTo(403);
    }

    @Test
    void tokenInTheQueryIsNotAcceptedForIngest() {
        String target = fixture.ingestUri() + "?token=" + fixture.broadcasterToken();
        assertThat(ViewerClient.refusedStatus(java.net.URI.create(target), new ViewerClient.Options().unchecked()))
                .isEqualTo(401);
    }

    private static ViewerClient connectIngest(String token) {
        return fixture.track(ViewerClient.connect(fixture.ingestUri(),
                new ViewerClient.Options().unchecked().header("Authorization", "Bearer " + token)));
    }
}
