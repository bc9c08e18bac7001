package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** GET /status on the internal port: what an operator asks a running server. */
class StatusIntegrationTest {
    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void tellsUptimeReadinessConnectionsTheLargestAudiencesAndTheConfigWithoutItsSecret() {
        fixture = ServerFixture.start();
        fixture.broadcaster().goLive("big");
        fixture.broadcaster().goLive("small");
        assertThat(fixture.broadcaster().register("later").status()).isEqualTo(201);
        for (int i = 0; i < 3; i++) {
            fixture.viewer("big").awaitEvent("stream_started", java.time.Duration.ofSeconds(10));
        }
        fixture.viewer("small").awaitEvent("stream_started", java.time.Duration.ofSeconds(10));

        RawHttp.Response response = RawHttp.get(fixture.internalPort(), "/status");

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("content-type")).startsWith("application/json");
        JsonNode status = Json.parse(response.bodyText());
        assertThat(status.get("readiness").asText()).isEqualTo("ready");
        assertThat(status.get("uptime_seconds").asLong()).isNotNegative();
        assertThat(status.get("viewers_connected").asInt()).isEqualTo(4);
        assertThat(status.get("streams").get("active").asInt()).isEqualTo(2);
        assertThat(status.get("streams").get("scheduled").asInt()).isEqualTo(1);
        assertThat(status.get("streams").get("ended").asInt()).isZero();
        JsonNode top = status.get("top_streams");
        assertThat(top.get(0).get("stream_id").asText()).isEqualTo("big");
        assertThat(top.get(0).get("viewer_count").asInt()).isEqualTo(3);
        assertThat(top.get(1).get("stream_id").asText()).isEqualTo("small");
        assertThat(top).hasSize(3);
        assertThat(status.get("config").asText()).contains("jwtSecret=<redacted>", "bufferSize=100")
                .doesNotContain(new String(ServerFixture.SECRET, java.nio.charset.StandardCharsets.UTF_8));
        assertThat(status.get("version").asText()).isNotBlank();

        assertThat(RawHttp.exchange(fixture.internalPort(), "POST", "/status", java.util.Map.of(), new byte[0]).status())
                .isEqualTo(405);
    }
}
