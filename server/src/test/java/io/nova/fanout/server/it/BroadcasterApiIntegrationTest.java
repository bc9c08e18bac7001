package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The internal broadcaster API over real HTTP. */
class BroadcasterApiIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int MAX_FRAME = 16 * 1024;
    private static final int MAX_BODY = 64 * 1024;

    private static ServerFixture fixture;
    private static Broadcaster api;

    @BeforeAll
    static void startServer() {
        fixture = ServerFixture.start(b -> b.maxFrameBytes(MAX_FRAME).maxRequestBodyBytes(MAX_BODY));
        api = fixture.broadcaster();
    }

    @AfterAll
    static void stopServer() {
        fixture.close();
    }

    @Test
    void lifecycleOfAStream() {
        String id = "lifecycle";
        Broadcaster.Response created = api.register(id);
        assertThat(created.status()).isEqualTo(201);
        JsonNode view = created.json();
        assertThat(view.get("stream_id").asText()).isEqualTo(id);
        assertThat(view.get("status").asText()).isEqualTo("scheduled");
        assertThat(view.get("title").asText()).isEqualTo("Live Gaming Session");
        assertThat(view.get("bitrate_kbps").asInt()).isEqualTo(5000);
        assertThat(view.get("viewer_count").asInt()).isZero();

        Broadcaster.Response updated = api.put(id, Broadcaster.metadata().put("title", "New title").toString());
        assertThat(updated.status()).isEqualTo(200);
        assertThat(updated.json().get("title").asText()).isEqualTo("New title");

        Broadcaster.Response one = api.get(id);
        assertThat(one.status()).isEqualTo(200);
        assertThat(one.json().get("title").asText()).isEqualTo("New title");
        assertThat(one.json().get("status").asText()).isEqualTo("scheduled");
        assertThat(api.list().json().get("streams").findValuesAsText("stream_id")).contains(id);

        Broadcaster.Response started = api.start(id);
        assertThat(started.status()).isEqualTo(200);
        long startSeq = started.json().get("first_seq").asLong();
        assertThat(started.json().get("last_seq").asLong()).isEqualTo(startSeq);
        assertThat(started.json().get("stream").get("status").asText()).isEqualTo("active");
        assertThat(started.json().get("stream").get("started_at").asText()).endsWith("Z");

        ViewerClient viewer = fixture.viewer(id);
        assertThat(viewer.awaitEvent("stream_started", WAIT).data().get("title").asText()).isEqualTo("New title");

        Broadcaster.Response single = api.events(id, Broadcaster.bitrateUpdate(4800).toString());
        assertThat(single.status()).isEqualTo(200);
        long singleSeq = single.json().get("first_seq").asLong();
        assertThat(single.json().get("last_seq").asLong()).isEqualTo(singleSeq);
        assertThat(single.json().get("stream_id").asText()).isEqualTo(id);

        ArrayNode three = Json.array()
                .add(Broadcaster.qualityChanged("720p", 3000, "network_congestion"))
                .add(Broadcaster.bitrateUpdate(2900))
                .add(Broadcaster.error("RTMP_CONNECTION_LOST", "RTMP broadcaster connection lost", "critical", false));
        Broadcaster.Response batch = api.events(id, three.toString());
        assertThat(batch.status()).isEqualTo(200);
        long first = batch.json().get("first_seq").asLong();
        assertThat(first).isGreaterThan(singleSeq);
        assertThat(batch.json().get("last_seq").asLong()).isEqualTo(first + 2);
        assertThat(batch.json().get("stream").get("quality").asText()).isEqualTo("720p");
        assertThat(batch.json().get("stream").get("current_bitrate_kbps").asInt()).isEqualTo(2900);
        viewer.awaitSeq(first + 2, WAIT);
        assertThat(viewer.history("error").get(0).seq()).isEqualTo(first + 2);

        Broadcaster.Response end = api.end(id, "connection_lost");
        assertThat(end.status()).isEqualTo(200);
        assertThat(end.json().get("stream").get("status").asText()).isEqualTo("ended");
        assertThat(end.json().get("stream").get("end_reason").asText()).isEqualTo("connection_lost");
        assertThat(viewer.awaitEvent("stream_ended", WAIT).data().get("reason").asText()).isEqualTo("connection_lost");
        assertThat(viewer.awaitClose(WAIT).code()).isEqualTo(1000);

        assertThat(api.get(id).json().get("status").asText()).isEqualTo("ended");
    }

    @Test
    void invalidBodiesAnswer400WithFieldErrors() {
        String id = "validation";
        api.goLive(id);

        ObjectNode metadata = Broadcaster.metadata().put("fps", 0).put("color", "red");
        metadata.remove("title");
        assertFieldErrors(api.put(id, metadata.toString()), "title", "fps", "color");
        assertFieldErrors(api.put(id, Broadcaster.metadata().put("quality", "huge").toString()), "quality");

        ObjectNode serverSet = Broadcaster.qualityChanged("720p", 3000, "adaptive_bitrate");
        ((ObjectNode) serverSet.get("data")).put("previous_quality", "1080p");
        assertFieldErrors(api.events(id, serverSet.toString()), "data.previous_quality");
        assertFieldErrors(api.events(id, "{\"event\":\"stream_started\",\"data\":{}}"), "event");
        assertFieldErrors(api.events(id, "{\"event\":\"bitrate_update\"}"), "data");
        assertFieldErrors(api.events(id, Broadcaster.error("MESSAGES_DROPPED", "x", "warning", true).toString()),
                "data.error_code");
        ArrayNode array = Json.array().add(Broadcaster.bitrateUpdate(100))
                .add(Broadcaster.qualityChanged("720p", -1, "adaptive_bitrate"));
        assertFieldErrors(api.events(id, array.toString()), "[1].data.new_bitrate_kbps");
        assertFieldErrors(api.events(id, "[]"), "body");
        assertFieldErrors(api.end(id, "bored"), "reason");

        Broadcaster.Response notJson = api.events(id, "{nope");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.json().get("error_code").asText()).isEqualTo("INVALID_REQUEST");

        Broadcaster.Response badId = api.register("bad!id");
        assertThat(badId.status()).isEqualTo(400);

        // Nothing of a refused batch was applied.
        assertThat(api.get(id).json().get("current_bitrate_kbps").asInt()).isEqualTo(5000);
    }

    @Test
    void unknownStreamAnswers404() {
        String id = "never-registered";
        assertNotFound(api.get(id));
        assertNotFound(api.start(id));
        assertNotFound(api.events(id, Broadcaster.bitrateUpdate(100).toString()));
        assertNotFound(api.end(id, "error"));
        assertThat(api.send("GET", "/internal/v1/other", null).status()).isEqualTo(404);
        assertThat(api.send("GET", "/internal/v1/streams/x/y/z", null).status()).isEqualTo(404);
    }

    @Test
    void transitionsThatMakeNoSenseAnswer409() {
        String id = "transitions";
        api.goLive(id);
        assertConflict(api.start(id));
        assertThat(api.end(id, "broadcaster_ended").status()).isEqualTo(200);
        assertConflict(api.start(id));
        assertConflict(api.end(id, "broadcaster_ended"));
        assertConflict(api.events(id, Broadcaster.bitrateUpdate(100).toString()));
        assertConflict(api.register(id));
    }

    @Test
    void eventLargerThanTheFrameLimitAnswers413AndReachesNoViewer() {
        String id = "too-large";
        api.goLive(id);
        ViewerClient viewer = fixture.viewer(id);
        viewer.await(m -> m.event().equals("viewer_count_changed"), "own join announced", WAIT);
        long before = api.get(id).json().get("seq").asLong();

        String huge = "x".repeat(MAX_FRAME);
        Broadcaster.Response tooLarge = api.events(id, Broadcaster.error("SERVER_ERROR", huge, "error", false).toString());
        assertThat(tooLarge.status()).isEqualTo(413);
        assertThat(tooLarge.json().get("error_code").asText()).isNotBlank();

        // All or nothing: a batch with one oversized event publishes none of them.
        ArrayNode batch = Json.array().add(Broadcaster.bitrateUpdate(1000))
                .add(Broadcaster.error("SERVER_ERROR", huge, "error", false)).add(Broadcaster.bitrateUpdate(2000));
        assertThat(api.events(id, batch.toString()).status()).isEqualTo(413);

        Broadcaster.Response small = api.events(id, Broadcaster.bitrateUpdate(4321).toString());
        assertThat(small.json().get("first_seq").asLong()).as("refused events take no seq").isEqualTo(before + 1);
        viewer.awaitSeq(before + 1, WAIT);
        List<ViewerClient.Received> after = new ArrayList<>();
        for (ViewerClient.Received m : viewer.history()) {
            if (m.hasSeq() && m.seq() > before) {
                after.add(m);
            }
        }
        assertThat(after).hasSize(1);
        assertThat(after.get(0).data().get("current_bitrate_kbps").asInt()).isEqualTo(4321);
        assertThat(api.get(id).json().get("current_bitrate_kbps").asInt()).isEqualTo(4321);
        viewer.close();
    }

    @Test
    void bodyOverTheRequestLimitAnswers413() {
        String id = "big-body";
        api.goLive(id);
        ArrayNode many = Json.array();
        while (many.toString().length() <= MAX_BODY) {
            many.add(Broadcaster.bitrateUpdate(1000));
        }
        // With 100-continue the server can refuse before the body is sent.
        Broadcaster.Response expected = api.send("POST", "/internal/v1/streams/" + id + "/events", many.toString(), true);
        assertThat(expected.status()).isEqualTo(413);

        RawHttp.Response raw = RawHttp.exchange(fixture.internalPort(), "POST", "/internal/v1/streams/" + id + "/events",
                Map.of("Authorization", "Bearer " + fixture.broadcasterToken(), "Content-Type", "application/json"),
                many.toString().getBytes(StandardCharsets.UTF_8));
        assertThat(raw.status()).isEqualTo(413);
        assertThat(api.get(id).json().get("seq").asLong()).as("nothing was published").isEqualTo(1);
    }

    @Test
    void missingOrInvalidTokenAnswers401() {
        for (Broadcaster anonymous : List.of(api.withToken(null), api.withToken("garbage"),
                api.withToken(fixture.minter().broadcasterToken("b", Duration.ofMinutes(1)) + "x"))) {
            Broadcaster.Response response = anonymous.list();
            assertThat(response.status()).isEqualTo(401);
            assertThat(response.json().get("error_code").asText()).isEqualTo("CONNECTION_REJECTED");
            assertThat(anonymous.register("unauthenticated").status()).isEqualTo(401);
        }
        assertThat(api.get("unauthenticated").status()).as("nothing was registered").isEqualTo(404);
    }

    @Test
    void tokenWithoutTheBroadcasterRoleOrGrantAnswers403() {
        Broadcaster viewerToken = api.withToken(fixture.viewerToken("just-a-viewer"));
        Broadcaster.Response response = viewerToken.register("forbidden");
        assertThat(response.status()).isEqualTo(403);
        assertThat(response.json().get("error_code").asText()).isEqualTo("UNAUTHORIZED");

        api.goLive("granted");
        api.goLive("not-granted");
        Broadcaster limited = api.withToken(fixture.minter().broadcasterToken("b", ServerFixture.TOKEN_TTL, List.of("granted")));
        assertThat(limited.get("granted").status()).isEqualTo(200);
        assertThat(limited.get("not-granted").status()).isEqualTo(403);
        assertThat(limited.events("not-granted", Broadcaster.bitrateUpdate(1).toString()).status()).isEqualTo(403);
        assertThat(limited.end("not-granted", "error").status()).isEqualTo(403);
        assertThat(limited.list().json().get("streams").findValuesAsText("stream_id")).containsExactly("granted");
    }

    @Test
    void healthAndMetricsOnTheInternalPort() {
        RawHttp.Response health = RawHttp.get(fixture.internalPort(), "/health");
        assertThat(health.status()).isEqualTo(200);
        RawHttp.Response metrics = RawHttp.get(fixture.internalPort(), "/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.bodyText()).contains("nova_viewers_connected");
    }

    /**
     * HTTP/1.1 answers pipelined requests in the order they were sent. The first request is a large batch for
     * one stream, the second a single event for another stream (homed on another event loop), sent together.
     */
    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws IOException {
        api.goLive("pipeline-a");
        api.goLive("pipeline-b");
        ArrayNode big = Json.array();
        while (big.toString().length() < MAX_BODY - 1_000) {
            big.add(Broadcaster.error("BUFFER_OVERFLOW", "pipelined " + big.size(), "info", true));
        }
        String[] streams = {"pipeline-a", "pipeline-b", "pipeline-a", "pipeline-b"};
        String[] bodies = {big.toString(), Broadcaster.bitrateUpdate(1).toString(), big.toString(),
                Broadcaster.bitrateUpdate(2).toString()};
        try (Socket socket = RawHttp.open(fixture.internalPort())) {
            ByteArrayOutputStream requests = new ByteArrayOutputStream();
            for (int i = 0; i < streams.length; i++) {
                byte[] body = bodies[i].getBytes(StandardCharsets.UTF_8);
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Host", "127.0.0.1");
                headers.put("Authorization", "Bearer " + fixture.broadcasterToken());
                headers.put("Content-Type", "application/json");
                headers.put("Content-Length", Integer.toString(body.length));
                RawHttp.writeRequest(requests, "POST", "/internal/v1/streams/" + streams[i] + "/events", headers, body);
            }
            socket.getOutputStream().write(requests.toByteArray());
            socket.getOutputStream().flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            for (int i = 0; i < streams.length; i++) {
                RawHttp.Response response = RawHttp.readResponse(in, false);
                assertThat(response.status()).as("response %d", i).isEqualTo(200);
                assertThat(Json.parse(response.bodyText()).get("stream_id").asText())
                        .as("response %d answers request %d", i, i).isEqualTo(streams[i]);
            }
        }
    }

    private static void assertFieldErrors(Broadcaster.Response response, String... fields) {
        assertThat(response.status()).as("%s", response).isEqualTo(400);
        JsonNode body = response.json();
        assertThat(body.get("error_code").asText()).isEqualTo("INVALID_REQUEST");
        assertThat(body.get("error_message").asText()).isNotBlank();
        List<String> reported = body.get("errors").findValuesAsText("field");
        assertThat(reported).as("%s", response).contains(fields);
        body.get("errors").forEach(e -> assertThat(e.get("message").asText()).isNotBlank());
    }

    private static void assertNotFound(Broadcaster.Response response) {
        assertThat(response.status()).as("%s", response).isEqualTo(404);
        assertThat(response.json().get("error_code").asText()).isEqualTo("STREAM_NOT_FOUND");
    }

    private static void assertConflict(Broadcaster.Response response) {
        assertThat(response.status()).as("%s", response).isEqualTo(409);
        assertThat(response.json().get("error_message").asText()).isNotBlank();
    }
}
