package io.nova.fanout.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The JSON examples of the protocol seed, copied verbatim. Server events must encode to the same JSON
 * (whitespace aside) and decode back, which pins every field name to the seed's spelling.
 */
class SeedExamplesTest {

    private static final String STREAM = "550e8400-e29b-41d4-a716-446655440000";

    private final ProtocolCodec codec = new ProtocolCodec();

    static Stream<Arguments> serverExamples() {
        return Stream.of(
                Arguments.of("""
                        {
                          "event": "connection_established",
                          "data": {
                            "stream_id": "550e8400-e29b-41d4-a716-446655440000",
                            "viewer_id": "a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p6",
                            "session_id": "session_abc123xyz",
                            "protocol_version": "1.0",
                            "timestamp": "2025-10-21T10:30:45.123Z"
                          }
                        }""", new ConnectionEstablished(STREAM, "a1b2c3d4-e5f6-g7h8-i9j0-k1l2m3n4o5p6",
                        "session_abc123xyz", "1.0", at("2025-10-21T10:30:45.123Z"))),
                Arguments.of("""
                        {
                          "event": "stream_started",
                          "data": {
                            "stream_id": "550e8400-e29b-41d4-a716-446655440000",
                            "broadcaster_id": "user-123",
                            "title": "Live Gaming Session",
                            "description": "Playing competitive games with viewers",
                            "quality": "1080p",
                            "fps": 60,
                            "bitrate_kbps": 5000,
                            "timestamp": "2025-10-21T10:30:45.123Z"
                          }
                        }""", new StreamStarted(STREAM, "user-123", "Live Gaming Session",
                        "Playing competitive games with viewers", "1080p", 60, 5000, at("2025-10-21T10:30:45.123Z"))),
                Arguments.of("""
                        {
                          "event": "stream_ended",
                          "data": {
                            "stream_id": "550e8400-e29b-41d4-a716-446655440000",
                            "duration_seconds": 3600,
                            "peak_viewers": 1500,
                            "final_viewer_count": 250,
                            "reason": "broadcaster_ended",
                            "timestamp": "2025-10-21T11:30:45.123Z"
                          }
                        }""", new StreamEnded(STREAM, 3600, 1500, 250, EndReason.BROADCASTER_ENDED,
                        at("2025-10-21T11:30:45.123Z"))),
                Arguments.of("""
                        {
                          "event": "viewer_count_changed",
                          "data": {
                            "stream_id": "550e8400-e29b-41d4-a716-446655440000",
                            "viewer_count": 1250,
                            "peak_viewers": 1500,
                            "change": 5,
                            "timestamp": "2025-10-21T10:35:20.456Z"
                          }
                        }""", new ViewerCountChanged(STREAM, 1250, 1500, 5, at("2025-10-21T10:35:20.456Z"))),
                Arguments.of("""
                        {
                          "event": "quality_changed",
                          "data": {
                            "stream_id": "550e8400-e29b-41d4-a716-446655440000",
                            "previous_quality": "1080p",
                            "new_quality": "720p",
                            "previous_bitrate_kbps": 5000,
                            "new_bitrate_kbps": 3000,
                            "fps": 60,
                            "reason": "adaptive_bitrate",
                            "timestamp": "2025-10-21T10:40:15.789Z"
                          }
                        }""", new QualityChanged(STREAM, "1080p", "720p", 5000, 3000, 60,
                        QualityChangeReason.ADAPTIVE_BITRATE, at("2025-10-21T10:40:15.789Z"))),
                Arguments.of("""
                        {
                          "event": "bitrate_update",
                          "data": {
                            "stream_id": "550e8400-e29b-41d4-a716-446655440000",
                            "current_bitrate_kbps": 4850,
                            "quality": "1080p",
                            "health": "good",
                            "timestamp": "2025-10-21T10:40:30.000Z"
                          }
                        }""", new BitrateUpdate(STREAM, 4850, "1080p", StreamHealth.GOOD, at("2025-10-21T10:40:30Z"))),
                Arguments.of("""
                        {
                          "event": "error",
                          "data": {
                            "error_code": "RTMP_CONNECTION_LOST",
                            "error_message": "RTMP broadcaster connection lost",
                            "severity": "critical",
                            "recoverable": false,
                            "suggested_action": "Refresh page or try again later",
                            "timestamp": "2025-10-21T10:45:12.345Z"
                          }
                        }""", new ErrorEvent(ErrorCode.RTMP_CONNECTION_LOST, "RTMP broadcaster connection lost",
                        Severity.CRITICAL, false, "Refresh page or try again later", null,
                        at("2025-10-21T10:45:12.345Z"))),
                Arguments.of("""
                        {
                          "event": "ping",
                          "data": {
                            "sequence": 42,
                            "timestamp": "2025-10-21T10:50:00.000Z"
                          }
                        }""", new Ping(42, at("2025-10-21T10:50:00Z"))),
                Arguments.of("""
                        {
                          "event": "stream_info",
                          "data": {
                            "request_id": "req-12345",
                            "stream_id": "550e8400-e29b-41d4-a716-446655440000",
                            "status": "active",
                            "viewer_count": 1250,
                            "peak_viewers": 1500,
                            "quality": "1080p",
                            "bitrate_kbps": 5000,
                            "fps": 60,
                            "duration_seconds": 3600,
                            "broadcaster_name": "Streamer123",
                            "timestamp": "2025-10-21T10:55:00.000Z"
                          }
                        }""", new StreamInfo("req-12345", STREAM, StreamStatus.ACTIVE, 1250, 1500, "1080p", 5000, 60,
                        3600, "Streamer123", at("2025-10-21T10:55:00Z"))));
    }

    @ParameterizedTest
    @MethodSource("serverExamples")
    void serverExampleDecodesToTheRecord(String seedJson, ServerMessage expected) {
        assertThat(codec.decodeServerMessage(seedJson.getBytes(UTF_8)))
                .isEqualTo(new DecodeResult.Decoded<>(expected, OptionalLong.empty()));
    }

    @ParameterizedTest
    @MethodSource("serverExamples")
    void recordEncodesToTheServerExample(String seedJson, ServerMessage message) throws IOException {
        ObjectMapper mapper = new ObjectMapper();

        assertThat(mapper.readTree(codec.encode(message))).isEqualTo(mapper.readTree(seedJson));
    }

    @Test
    void pongExample() {
        assertThat(decodeClient("""
                {
                  "event": "pong",
                  "data": {
                    "sequence": 42,
                    "timestamp": "2025-10-21T10:50:00.500Z"
                  }
                }""")).isEqualTo(new Pong(42L, "2025-10-21T10:50:00.500Z"));
    }

    @Test
    void pongOfTheSeedsJavaScriptClientHasNoSequence() {
        // JSON.stringify({event: 'pong', data: {timestamp: new Date().toISOString()}})
        assertThat(decodeClient("{\"event\":\"pong\",\"data\":{\"timestamp\":\"2025-10-21T10:50:30.000Z\"}}"))
                .isEqualTo(new Pong(null, "2025-10-21T10:50:30.000Z"));
    }

    @Test
    void getStreamInfoExample() {
        assertThat(decodeClient("""
                {
                  "event": "get_stream_info",
                  "data": {
                    "request_id": "req-12345"
                  }
                }""")).isEqualTo(new GetStreamInfo("req-12345"));
    }

    @Test
    void reportIssueExampleWithItsPlaceholdersFilledIn() {
        assertThat(decodeClient("""
                {
                  "event": "report_issue",
                  "data": {
                    "issue_type": "buffering",
                    "severity": "medium",
                    "description": "Stream is constantly buffering",
                    "client_info": {
                      "player": "video.js",
                      "browser": "Chrome 120",
                      "os": "macOS 14.1",
                      "network": "wifi",
                      "bandwidth_estimate_kbps": 8000
                    }
                  }
                }""")).isEqualTo(new ReportIssue(IssueType.BUFFERING, IssueSeverity.MEDIUM,
                "Stream is constantly buffering",
                new ClientInfo("video.js", "Chrome 120", "macOS 14.1", "wifi", 8000)));
    }

    private ClientMessage decodeClient(String json) {
        DecodeResult<ClientMessage> result = codec.decodeClientMessage(json.getBytes(UTF_8));
        assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded<ClientMessage>) result).message();
    }

    private static Instant at(String timestamp) {
        return Instant.parse(timestamp);
    }
}
