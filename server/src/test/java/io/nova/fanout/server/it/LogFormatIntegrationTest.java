package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nova.fanout.server.auth.TokenMinter;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The server's own process with {@code --log-format json}: every line a JSON object, handshakes in it, no token. */
class LogFormatIntegrationTest {
    private static final String SECRET = "log-format-integration-test-secret-0123456789";
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final ObjectMapper mapper = new ObjectMapper();
    private ServerProcess server;

    @AfterEach
    void stop() throws InterruptedException {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void jsonLinesCarryTheHandshakeOutcomesAndTheStopButNoToken() throws Exception {
        server = ServerProcess.start(Map.of("NOVA_JWT_SECRET", SECRET), "--log-format", "json");
        String token = new TokenMinter(SECRET.getBytes(java.nio.charset.StandardCharsets.UTF_8), Clock.systemUTC())
                .viewerToken("json-viewer", Duration.ofMinutes(5));

        assertThat(RawHttp.upgrade(server.port(), "/api/v1/streams/missing/ws?token=" + token, Map.of()).status())
                .isEqualTo(404);
        assertThat(RawHttp.upgrade(server.port(), "/api/v1/streams/missing/ws?token=" + token + "x", Map.of()).status())
                .isEqualTo(401);
        server.awaitLine("viewer handshake refused: 401", WAIT);
        assertThat(server.terminate(WAIT)).as("exit status after SIGTERM").isZero();

        List<String> lines = server.output();
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            JsonNode json = parse(line);
            assertThat(json.isObject()).as(line).isTrue();
            assertThat(json.path("level").asText()).as(line).isIn("TRACE", "DEBUG", "INFO", "WARN", "ERROR");
            assertThat(json.path("loggerName").asText()).as(line).isNotEmpty();
            assertThat(json.path("timestamp").asLong()).as(line).isPositive();
            assertThat(json.has("formattedMessage")).as(line).isTrue();
        }
        assertThat(messages(lines)).anySatisfy(m -> assertThat(m).startsWith("nova-server listening: viewers on ws://127.0.0.1:"))
                .anySatisfy(m -> assertThat(m).isEqualTo(
                        "viewer handshake refused: 404 STREAM_NOT_FOUND \"no such stream\" peer=127.0.0.1"))
                .anySatisfy(m -> assertThat(m).isEqualTo(
                        "viewer handshake refused: 401 CONNECTION_REJECTED \"invalid or expired token\" peer=127.0.0.1"))
                .anySatisfy(m -> assertThat(m).startsWith("SIGTERM: draining viewers"));
        assertThat(String.join("\n", lines)).doesNotContain(token).doesNotContain(SECRET);
    }

    @Test
    void textIsTheDefault() throws Exception {
        server = ServerProcess.start(Map.of("NOVA_JWT_SECRET", SECRET));
        String listening = server.awaitLine("nova-server listening", WAIT);
        assertThat(listening).doesNotStartWith("{").contains(" INFO ");
        assertThat(server.terminate(WAIT)).isZero();
    }

    private JsonNode parse(String line) {
        try {
            return mapper.readTree(line);
        } catch (java.io.IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }

    private List<String> messages(List<String> lines) throws Exception {
        List<String> messages = new java.util.ArrayList<>();
        for (String line : lines) {
            messages.add(parse(line).path("formattedMessage").asText());
        }
        return messages;
    }
}
