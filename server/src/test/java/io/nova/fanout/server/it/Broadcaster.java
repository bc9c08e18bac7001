package io.nova.fanout.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The broadcaster side of the tests: the internal HTTP API over a real HTTP/1.1 client, plus builders for
 * the request bodies the API documents.
 */
final class Broadcaster {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Status, body and headers of one answer. */
    record Response(int status, String body, HttpHeaders headers) {
        JsonNode json() {
            return Json.parse(body);
        }

        @Override
        public String toString() {
            return status + " " + Json.abbreviate(body);
        }
    }

    private final URI base;
    private final String token;

    Broadcaster(URI base, String token) {
        this.base = base;
        this.token = token;
    }

    /** The same API with another bearer token ({@code null} for none). */
    Broadcaster withToken(String otherToken) {
        return new Broadcaster(base, otherToken);
    }

    Response put(String streamId, String metadataJson) {
        return send("PUT", "/internal/v1/streams/" + streamId, metadataJson);
    }

    /** Registers the stream with {@link #metadata()}. */
    Response register(String streamId) {
        return put(streamId, metadata().toString());
    }

    Response start(String streamId) {
        return send("POST", "/internal/v1/streams/" + streamId + "/start", "");
    }

    /** Registers and starts a stream, failing the test if either step is refused. */
    void goLive(String streamId) {
        Response put = register(streamId);
        if (put.status() != 201 && put.status() != 200) {
            throw new AssertionError("PUT " + streamId + " answered " + put);
        }
        Response start = start(streamId);
        if (start.status() != 200) {
            throw new AssertionError("start " + streamId + " answered " + start);
        }
    }

    Response events(String streamId, String json) {
        return send("POST", "/internal/v1/streams/" + streamId + "/events", json);
    }

    Response end(String streamId, String reason) {
        return send("POST", "/internal/v1/streams/" + streamId + "/end", Json.object().put("reason", reason).toString());
    }

    Response get(String streamId) {
        return send("GET", "/internal/v1/streams/" + streamId, null);
    }

    Response list() {
        return send("GET", "/internal/v1/streams", null);
    }

    Response send(String method, String path, String body) {
        return send(method, path, body, false);
    }

    /** Any request; {@code body == null} sends none. */
    Response send(String method, String path, String body, boolean expectContinue) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(REQUEST_TIMEOUT)
                .expectContinue(expectContinue)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.body(), response.headers());
        } catch (IOException e) {
            throw new AssertionError(method + " " + path + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(method + " " + path + " interrupted", e);
        }
    }

    // ---- bodies ----

    /** Seed 003's example metadata: 1080p, 60 fps, 5000 kbps. */
    static ObjectNode metadata() {
        return Json.object()
                .put("broadcaster_id", "user-123")
                .put("broadcaster_name", "Streamer123")
                .put("title", "Live Gaming Session")
                .put("description", "Playing competitive games with viewers")
                .put("quality", "1080p")
                .put("fps", 60)
                .put("bitrate_kbps", 5000);
    }

    static ObjectNode qualityChanged(String newQuality, int newBitrateKbps, String reason) {
        ObjectNode event = Json.object().put("event", "quality_changed");
        event.putObject("data").put("new_quality", newQuality).put("new_bitrate_kbps", newBitrateKbps).put("reason", reason);
        return event;
    }

    static ObjectNode bitrateUpdate(int currentBitrateKbps) {
        ObjectNode event = Json.object().put("event", "bitrate_update");
        event.putObject("data").put("current_bitrate_kbps", currentBitrateKbps);
        return event;
    }

    static ObjectNode error(String code, String message, String severity, boolean recoverable) {
        ObjectNode event = Json.object().put("event", "error");
        event.putObject("data").put("error_code", code).put("error_message", message)
                .put("severity", severity).put("recoverable", recoverable)
                .put("suggested_action", "Refresh page or try again later");
        return event;
    }
}
