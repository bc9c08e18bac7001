package io.nova.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Instant;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class RoundTripTest {

    private static final Instant AT = Instant.parse("2025-10-21T10:30:45.123Z");
    private static final String STREAM = "550e8400-e29b-41d4-a716-446655440000";

    private final ProtocolCodec codec = new ProtocolCodec();

    static Stream<ServerMessage> serverMessages() {
        return Stream.of(
                new ConnectionEstablished(STREAM, "viewer-1", "session_abc123xyz", "1.0", AT),
                new StreamStarted(STREAM, "user-123", "Live Gaming Session",
                        "Playing \"games\" \u00e9\u4e16\ud83d\ude00 \u0001", "1080p", 60, 5000, AT),
                new StreamStarted(STREAM, "user-123", "No description", "", "720p", 30, 3000, AT),
                new StreamEnded(STREAM, 3600, 1500, 250, EndReason.BROADCASTER_ENDED, AT),
                new ViewerCountChanged(STREAM, 1245, 1500, -5, AT),
                new QualityChanged(STREAM, "1080p", "720p", 5000, 3000, 60, QualityChangeReason.ADAPTIVE_BITRATE, AT),
                new BitrateUpdate(STREAM, 4850, "1080p", StreamHealth.GOOD, AT),
                new ErrorEvent(ErrorCode.RTMP_CONNECTION_LOST, "RTMP broadcaster connection lost", Severity.CRITICAL,
                        false, "Refresh page or try again later", null, AT),
                new ErrorEvent(ErrorCode.SERVER_ERROR, "boom", Severity.ERROR, false, null, null, AT),
                ErrorEvent.messagesDropped(17, AT),
                ErrorEvent.tokenExpiring(AT.plusSeconds(30), AT.plusSeconds(60), AT),
                ErrorEvent.invalidToken("the token does not grant this stream", AT),
                new TokenRefreshed(Instant.parse("2025-10-21T11:30:45Z"), AT),
                new Ping(Long.MAX_VALUE, AT),
                new StreamInfo("req-12345", STREAM, StreamStatus.ACTIVE, 1250, 1500, "1080p", 5000, 60, 3600,
                        "Streamer123", AT));
    }

    static Stream<ClientMessage> clientMessages() {
        return Stream.of(
                new Pong(42L, "2025-10-21T10:50:00.500Z"),
                new Pong(null, "2025-10-21T10:50:00.500Z"),
                new Pong(null, null),
                new GetStreamInfo("req-12345"),
                new ReportIssue(IssueType.BUFFERING, IssueSeverity.MEDIUM, "Stream is constantly buffering",
                        new ClientInfo("video.js", "Chrome 120", "macOS 14.1", "wifi", 8000)),
                new ReportIssue(IssueType.PLAYBACK_ERROR, IssueSeverity.HIGH, null,
                        new ClientInfo(null, null, null, "4g", null)),
                new ReportIssue(IssueType.OTHER, IssueSeverity.LOW, null, null),
                new RefreshToken("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2aWV3ZXItMSJ9.c2ln"),
                new RefreshToken("t".repeat(ProtocolLimits.MAX_TOKEN_CHARS)));
    }

    @ParameterizedTest
    @MethodSource("serverMessages")
    void serverMessageWithoutSeqSurvivesTheRoundTrip(ServerMessage message) {
        assertThat(codec.decodeServerMessage(codec.encode(message)))
                .isEqualTo(new DecodeResult.Decoded<>(message, OptionalLong.empty()));
    }

    @ParameterizedTest
    @MethodSource("serverMessages")
    void serverMessageWithSeqSurvivesTheRoundTrip(ServerMessage message) {
        assertThat(codec.decodeServerMessage(codec.encode(message, 9_007_199_254_740_993L)))
                .isEqualTo(new DecodeResult.Decoded<>(message, OptionalLong.of(9_007_199_254_740_993L)));
    }

    @ParameterizedTest
    @MethodSource("serverMessages")
    void streamingEncodeWritesTheSameBytes(ServerMessage message) throws IOException {
        ByteArrayOutputStream withSeq = new ByteArrayOutputStream();
        ByteArrayOutputStream withoutSeq = new ByteArrayOutputStream();

        codec.encode(message, 3, withSeq);
        codec.encode(message, -1, withoutSeq);

        assertThat(withSeq.toByteArray()).isEqualTo(codec.encode(message, 3));
        assertThat(withoutSeq.toByteArray()).isEqualTo(codec.encode(message));
    }

    @ParameterizedTest
    @MethodSource("clientMessages")
    void clientMessageSurvivesTheRoundTrip(ClientMessage message) {
        assertThat(codec.decodeClientMessage(codec.encode(message)))
                .isEqualTo(new DecodeResult.Decoded<>(message, OptionalLong.empty()));
    }

    @ParameterizedTest
    @MethodSource("clientMessages")
    void clientMessageDecodesFromTheMiddleOfABuffer(ClientMessage message) {
        byte[] frame = codec.encode(message);
        byte[] buffer = new byte[frame.length + 7];
        System.arraycopy(frame, 0, buffer, 3, frame.length);

        assertThat(codec.decodeClientMessage(buffer, 3, frame.length))
                .isEqualTo(new DecodeResult.Decoded<>(message, OptionalLong.empty()));
    }
}
