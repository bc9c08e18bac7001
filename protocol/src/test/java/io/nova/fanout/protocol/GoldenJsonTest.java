package io.nova.fanout.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The exact bytes on the wire: key order, omitted fields and the timestamp format are part of the contract. */
class GoldenJsonTest {

    private final ProtocolCodec codec = new ProtocolCodec();

    @Test
    void connectionEstablishedHasNoSeq() {
        ConnectionEstablished message = new ConnectionEstablished("550e8400-e29b-41d4-a716-446655440000",
                "viewer-7", "session_abc123xyz", ProtocolLimits.PROTOCOL_VERSION,
                Instant.parse("2025-10-21T10:30:45.123Z"));

        assertThat(json(codec.encode(message))).isEqualTo("{\"event\":\"connection_established\",\"data\":{"
                + "\"stream_id\":\"550e8400-e29b-41d4-a716-446655440000\",\"viewer_id\":\"viewer-7\","
                + "\"session_id\":\"session_abc123xyz\",\"protocol_version\":\"1.0\","
                + "\"timestamp\":\"2025-10-21T10:30:45.123Z\"}}");
    }

    @Test
    void viewerCountChangedPutsSeqBetweenEventAndData() {
        ViewerCountChanged message =
                new ViewerCountChanged("s-1", 1250, 1500, -5, Instant.parse("2025-10-21T10:30:45Z"));

        assertThat(json(codec.encode(message, 42))).isEqualTo("{\"event\":\"viewer_count_changed\",\"seq\":42,"
                + "\"data\":{"
                + "\"stream_id\":\"s-1\",\"viewer_count\":1250,\"peak_viewers\":1500,\"change\":-5,"
                + "\"timestamp\":\"2025-10-21T10:30:45.000Z\"}}");
    }

    @Test
    void messagesDroppedNoticeCarriesTheCount() {
        ErrorEvent notice = ErrorEvent.messagesDropped(12, Instant.parse("2025-10-21T10:30:45.120Z"));

        assertThat(json(codec.encode(notice))).isEqualTo("{\"event\":\"error\",\"data\":{"
                + "\"error_code\":\"MESSAGES_DROPPED\","
                + "\"error_message\":\"12 messages were dropped because the connection fell behind\","
                + "\"severity\":\"warning\",\"recoverable\":true,"
                + "\"suggested_action\":\"Call get_stream_info to resynchronise state\","
                + "\"dropped_count\":12,\"timestamp\":\"2025-10-21T10:30:45.120Z\"}}");
    }

    @Test
    void absentOptionalFieldsAreLeftOut() {
        ErrorEvent error = new ErrorEvent(ErrorCode.STREAM_NOT_FOUND, "no such stream", Severity.ERROR, false,
                null, null, Instant.parse("2025-10-21T10:30:45.123Z"));

        assertThat(json(codec.encode(error))).isEqualTo("{\"event\":\"error\",\"data\":{"
                + "\"error_code\":\"STREAM_NOT_FOUND\",\"error_message\":\"no such stream\",\"severity\":\"error\","
                + "\"recoverable\":false,\"timestamp\":\"2025-10-21T10:30:45.123Z\"}}");
        assertThat(json(codec.encode(new Pong(null, null)))).isEqualTo("{\"event\":\"pong\",\"data\":{}}");
    }

    @Test
    void nullDescriptionIsWrittenEmpty() {
        StreamStarted started = new StreamStarted("s-1", "user-123", "Live", null, "1080p", 60, 5000,
                Instant.parse("2025-10-21T10:30:45.123Z"));

        assertThat(json(codec.encode(started, 1))).contains("\"title\":\"Live\",\"description\":\"\",\"quality\"");
    }

    @Test
    void timestampsAreTruncatedToMilliseconds() {
        Ping ping = new Ping(42, Instant.parse("2025-10-21T10:50:00.999999999Z"));

        assertThat(json(codec.encode(ping))).isEqualTo(
                "{\"event\":\"ping\",\"data\":{\"sequence\":42,\"timestamp\":\"2025-10-21T10:50:00.999Z\"}}");
    }

    @Test
    void clientMessagesUseTheSameEnvelope() {
        ReportIssue issue = new ReportIssue(IssueType.PLAYBACK_ERROR, IssueSeverity.HIGH, null,
                new ClientInfo("video.js", null, null, null, 0));

        assertThat(json(codec.encode(issue))).isEqualTo("{\"event\":\"report_issue\",\"data\":{"
                + "\"issue_type\":\"playback_error\",\"severity\":\"high\",\"client_info\":{"
                + "\"player\":\"video.js\",\"bandwidth_estimate_kbps\":0}}}");
    }

    @Test
    void tokenExpiredNamesTheExpiryAndTheClose() {
        ErrorEvent warning = ErrorEvent.tokenExpiring(Instant.parse("2025-10-21T10:31:15Z"),
                Instant.parse("2025-10-21T10:31:45Z"), Instant.parse("2025-10-21T10:30:45.120Z"));

        assertThat(json(codec.encode(warning))).isEqualTo("{\"event\":\"error\",\"data\":{"
                + "\"error_code\":\"TOKEN_EXPIRED\","
                + "\"error_message\":\"the token expires at 2025-10-21T10:31:15.000Z; the connection will be closed at "
                + "2025-10-21T10:31:45.000Z unless refresh_token brings a new one\","
                + "\"severity\":\"warning\",\"recoverable\":true,"
                + "\"suggested_action\":\"Send refresh_token with a new token\","
                + "\"timestamp\":\"2025-10-21T10:30:45.120Z\"}}");
    }

    @Test
    void invalidTokenSaysWhyTheRefreshWasRefused() {
        ErrorEvent refusal = ErrorEvent.invalidToken("the token is for another viewer",
                Instant.parse("2025-10-21T10:30:45.120Z"));

        assertThat(json(codec.encode(refusal))).isEqualTo("{\"event\":\"error\",\"data\":{"
                + "\"error_code\":\"INVALID_TOKEN\","
                + "\"error_message\":\"refresh_token refused: the token is for another viewer\","
                + "\"severity\":\"warning\",\"recoverable\":true,"
                + "\"suggested_action\":\"Send a token for the same viewer and stream that expires later\","
                + "\"timestamp\":\"2025-10-21T10:30:45.120Z\"}}");
    }

    @Test
    void tokenRefreshedCarriesTheNewExpiry() {
        TokenRefreshed refreshed = new TokenRefreshed(Instant.parse("2025-10-21T11:30:45Z"),
                Instant.parse("2025-10-21T10:30:45.120Z"));

        assertThat(json(codec.encode(refreshed))).isEqualTo("{\"event\":\"token_refreshed\",\"data\":{"
                + "\"expires_at\":\"2025-10-21T11:30:45.000Z\",\"timestamp\":\"2025-10-21T10:30:45.120Z\"}}");
    }

    @Test
    void refreshTokenCarriesTheTokenButNeverPrintsIt() {
        RefreshToken refresh = new RefreshToken("eyJhbGciOiJIUzI1NiJ9.e30.sig");

        assertThat(json(codec.encode(refresh)))
                .isEqualTo("{\"event\":\"refresh_token\",\"data\":{\"token\":\"eyJhbGciOiJIUzI1NiJ9.e30.sig\"}}");
        assertThat(refresh.toString()).doesNotContain("eyJ").isEqualTo("RefreshToken[token=<28 characters>]");
    }

    @Test
    void negativeSeqIsRefused() {
        Ping ping = new Ping(1, Instant.EPOCH);

        assertThatThrownBy(() -> codec.encode(ping, -1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("seq: -1 (expected: >= 0)");
    }

    @Test
    void messagesDroppedNeedsSomethingDropped() {
        assertThatThrownBy(() -> ErrorEvent.messagesDropped(0, Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("droppedCount: 0 (expected: > 0)");
    }

    private static String json(byte[] utf8) {
        return new String(utf8, UTF_8);
    }
}
