package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** What the server does with each kind of message a viewer sends, valid or not. */
class ClientMessagesIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final int MAX_FRAME = 4096;
    private static final String STREAM = "client-messages";

    private static ServerFixture fixture;

    @BeforeAll
    static void startServer() {
        fixture = ServerFixture.start(b -> b.maxFrameBytes(MAX_FRAME));
        fixture.broadcaster().goLive(STREAM);
    }

    @AfterAll
    static void stopServer() {
        fixture.close();
    }

    @Test
    void invalidJsonClosesWith1003() {
        assertClosedWith(1003, "{\"event\": \"get_stream_info\", \"data\": {");
    }

    @Test
    void unknownEventClosesWith1003() {
        assertClosedWith(1003, "{\"event\":\"subscribe\",\"data\":{}}");
    }

    @Test
    void missingRequiredFieldClosesWith1003() {
        assertClosedWith(1003, "{\"event\":\"get_stream_info\",\"data\":{}}");
    }

    @Test
    void messageThatIsNotAnObjectClosesWith1003() {
        assertClosedWith(1003, "[1,2,3]");
    }

    @Test
    void reportIssueWithAnInvalidIssueTypeClosesWith1003() {
        assertClosedWith(1003, "{\"event\":\"report_issue\",\"data\":{\"issue_type\":\"crash\",\"severity\":\"high\"}}");
    }

    @Test
    void reportIssueWithATooLongDescriptionClosesWith1003() {
        assertClosedWith(1003, "{\"event\":\"report_issue\",\"data\":{\"issue_type\":\"lag\",\"severity\":\"low\","
                + "\"description\":\"" + "x".repeat(2001) + "\"}}");
    }

    @Test
    void binaryFrameClosesWith1003() {
        ViewerClient viewer = connected();
        viewer.sendBinary(new byte[] {1, 2, 3});
        assertThat(viewer.awaitClose(WAIT).code()).isEqualTo(1003);
    }

    @Test
    void getStreamInfoIsAnswered() {
        ViewerClient viewer = connected();
        viewer.send(getStreamInfo("req-1"));
        ViewerClient.Received info = viewer.awaitEvent("stream_info", WAIT);
        assertThat(info.hasSeq()).as("stream_info is connection-level").isFalse();
        assertThat(Json.fieldNames(info.data())).containsExactlyInAnyOrder(
                "request_id", "stream_id", "status", "viewer_count", "peak_viewers", "quality", "bitrate_kbps", "fps",
                "duration_seconds", "broadcaster_name", "timestamp");
        assertThat(info.data().get("request_id").asText()).isEqualTo("req-1");
        assertThat(info.data().get("status").asText()).isEqualTo("active");
        assertThat(info.data().get("broadcaster_name").asText()).isEqualTo("Streamer123");
        assertThat(viewer.isOpen()).isTrue();
        assertThat(viewer.protocolViolations()).isEmpty();
        viewer.close();
    }

    @Test
    void validReportIssueIsCountedAndKeepsTheConnection() {
        ViewerClient viewer = connected();
        viewer.send("{\"event\":\"report_issue\",\"data\":{\"issue_type\":\"buffering\",\"severity\":\"medium\","
                + "\"description\":\"Stream is constantly buffering\",\"client_info\":{\"player\":\"video.js\","
                + "\"browser\":\"Chrome 120\",\"os\":\"macOS 14.1\",\"network\":\"wifi\",\"bandwidth_estimate_kbps\":8000}}}");
        // Messages are handled in order, so once this is answered the report has been counted.
        viewer.send(getStreamInfo("after-report"));
        viewer.awaitEvent("stream_info", WAIT);
        assertThat(fixture.server().scrapeMetrics())
                .contains("nova_viewer_issues_total{issue_type=\"buffering\",severity=\"medium\"} 1.0");
        assertThat(viewer.isOpen()).isTrue();
        viewer.close();
    }

    @Test
    void unknownFieldsInsideDataAreIgnored() {
        ViewerClient viewer = connected();
        viewer.send("{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"r\",\"future_field\":[1,{\"a\":2}]}}");
        assertThat(viewer.awaitEvent("stream_info", WAIT).data().get("request_id").asText()).isEqualTo("r");
        viewer.close();
    }

    @Test
    void frameOverMaxFrameBytesClosesWith1009() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            ws.sendText(getStreamInfo("x".repeat(MAX_FRAME)));
            assertThat(ws.awaitClose().code()).isEqualTo(1009);
        }
    }

    @Test
    void frameOfExactlyMaxFrameBytesIsAccepted() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            String prefix = "{\"event\":\"report_issue\",\"data\":{\"issue_type\":\"other\",\"severity\":\"low\",\"pad\":\"";
            String suffix = "\"}}";
            ws.sendText(prefix + "p".repeat(MAX_FRAME - prefix.length() - suffix.length()) + suffix);
            ws.sendText(getStreamInfo("after-big-one"));
            assertThat(readUntilEvent(ws, "stream_info")).contains("after-big-one");
        }
    }

    @Test
    void fragmentedMessageOverMaxFrameBytesClosesWith1009() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            byte[] message = getStreamInfo("y".repeat(MAX_FRAME)).getBytes(StandardCharsets.UTF_8);
            int third = message.length / 3;
            ws.sendFrame(false, RawWebSocket.TEXT, Arrays.copyOfRange(message, 0, third));
            ws.sendFrame(false, RawWebSocket.CONTINUATION, Arrays.copyOfRange(message, third, 2 * third));
            ws.sendFrame(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(message, 2 * third, message.length));
            assertThat(ws.awaitClose().code()).isEqualTo(1009);
        }
    }

    @Test
    void fragmentedMessageWithinTheLimitIsAssembled() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            byte[] message = getStreamInfo("fragmented").getBytes(StandardCharsets.UTF_8);
            ws.sendFrame(false, RawWebSocket.TEXT, Arrays.copyOfRange(message, 0, 10));
            ws.sendFrame(true, RawWebSocket.CONTINUATION, Arrays.copyOfRange(message, 10, message.length));
            assertThat(readUntilEvent(ws, "stream_info")).contains("\"request_id\":\"fragmented\"");
        }
    }

    @Test
    void invalidUtf8TextClosesWith1007() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            byte[] prefix = "{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"".getBytes(StandardCharsets.UTF_8);
            byte[] payload = Arrays.copyOf(prefix, prefix.length + 4);
            payload[prefix.length] = (byte) 0xC3; // a lead byte without its continuation byte
            payload[prefix.length + 1] = (byte) 0x28;
            payload[prefix.length + 2] = '"';
            payload[prefix.length + 3] = '}';
            ws.sendFrame(true, RawWebSocket.TEXT, payload);
            assertThat(ws.awaitClose().code()).isEqualTo(1007);
        }
    }

    @Test
    void invalidUtf8InAContinuationFrameClosesWith1007() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            ws.sendFrame(false, RawWebSocket.TEXT, "{\"event\":\"pong\",\"data\":{\"timestamp\":\"".getBytes(StandardCharsets.UTF_8));
            ws.sendFrame(true, RawWebSocket.CONTINUATION, new byte[] {(byte) 0xFF, '"', '}', '}'});
            assertThat(ws.awaitClose().code()).isEqualTo(1007);
        }
    }

    @Test
    void protocolViolationsCloseWith1002() throws IOException {
        byte[][] violations = {
            {(byte) 0xC1, (byte) 0x82, 0, 0, 0, 0, 'h', 'i'}, // a reserved bit set, with no extension agreed
            {(byte) 0x81, 0x02, 'h', 'i'},                   // a client frame without a mask
            {0x09, (byte) 0x80, 0, 0, 0, 0},                 // a ping split into fragments
            {(byte) 0x83, (byte) 0x80, 0, 0, 0, 0},           // a reserved opcode
        };
        for (byte[] violation : violations) {
            try (RawWebSocket ws = rawConnected()) {
                ws.sendRaw(violation);
                assertThat(ws.awaitClose().code()).as("after %s", Arrays.toString(violation)).isEqualTo(1002);
            }
        }
    }

    @Test
    void rawBinaryFrameClosesWith1003() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            ws.sendFrame(true, RawWebSocket.BINARY, new byte[] {0, 1, 2});
            assertThat(ws.awaitClose().code()).isEqualTo(1003);
        }
    }

    @Test
    void closeFrameFromTheClientIsAnsweredWithACloseAndTheConnectionEnds() throws IOException {
        try (RawWebSocket ws = rawConnected()) {
            ws.sendFrame(true, RawWebSocket.CLOSE, new byte[] {0x03, (byte) 0xE8}); // 1000
            assertThat(ws.awaitClose().code()).isEqualTo(1000);
            assertThat(ws.awaitEndOfStream()).isTrue();
        }
    }

    @Test
    void connectionResetByTheViewerIsNotCountedAsAServerError() throws IOException {
        RawWebSocket ws = rawConnected();
        assertThat(ws.readText()).contains("stream_started");
        // Counted with this one in; viewers of earlier tests of this class may still be leaving meanwhile.
        int withIt = connectedViewers();
        ws.reset();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (connectedViewers() >= withIt && System.nanoTime() < deadline) {
            ItAssertions.sleep(10);
        }
        assertThat(connectedViewers()).isLessThan(withIt);
        assertThat(fixture.server().scrapeMetrics())
                .as("a viewer that resets its connection is not an internal error (1011) of the server")
                .doesNotContainPattern("nova_client_closes_total\\{code=\"1011\"[^}]*\\} [1-9]");
    }

    // ---- helpers ----

    private static int connectedViewers() {
        Matcher m = Pattern.compile("(?m)^nova_viewers_connected\\S* (\\S+)$").matcher(fixture.server().scrapeMetrics());
        assertThat(m.find()).isTrue();
        return (int) Double.parseDouble(m.group(1));
    }

    private static String getStreamInfo(String requestId) {
        return "{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"" + requestId + "\"}}";
    }

    private static ViewerClient connected() {
        ViewerClient viewer = fixture.viewer(STREAM);
        viewer.awaitEvent("stream_started", WAIT);
        return viewer;
    }

    private static void assertClosedWith(int code, String message) {
        ViewerClient viewer = connected();
        viewer.send(message);
        ViewerClient.Closed closed = viewer.awaitClose(WAIT);
        assertThat(closed.code()).as("close after %s: %s", Json.abbreviate(message), closed).isEqualTo(code);
        assertThat(closed.reason()).as("a close reason says what was wrong").isNotBlank();
    }

    private static RawWebSocket rawConnected() throws IOException {
        RawWebSocket ws = RawWebSocket.connect(fixture.port(),
                ServerFixture.viewerTarget(STREAM, fixture.viewerToken(fixture.nextViewerId())), Map.of());
        assertThat(ws.readText()).contains("connection_established");
        return ws;
    }

    private static String readUntilEvent(RawWebSocket ws, String event) throws IOException {
        for (int i = 0; i < 100; i++) {
            String text = ws.readText();
            if (text.contains("\"event\":\"" + event + "\"")) {
                return text;
            }
        }
        throw new AssertionError("no " + event + " among 100 messages");
    }
}
