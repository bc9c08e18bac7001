package io.nova.fanout.loadtest.viewer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.ConnectionEstablished;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.Ping;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.protocol.StreamHealth;
import io.nova.fanout.protocol.StreamInfo;
import io.nova.fanout.protocol.StreamStarted;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.protocol.ViewerCountChanged;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The scanner against frames the protocol module's own encoder produces, tricky strings included. */
class FrameScannerTest {
    private static final Instant AT = Instant.parse("2026-11-22T04:40:47.996Z");

    private final ProtocolCodec codec = new ProtocolCodec();
    private final FrameScanner scanner = new FrameScanner();
    private final ScannedFrame frame = new ScannedFrame();

    @Test
    void bitrateUpdateGivesSeqAndTimestampToTheMillisecond() {
        byte[] bytes = codec.encode(new BitrateUpdate("lt-0", 4321, "1080p", StreamHealth.GOOD, AT), 42);

        assertThat(scan(bytes)).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.BITRATE_UPDATE);
        assertThat(frame.seq()).isEqualTo(42);
        assertThat(frame.timestampMillis()).isEqualTo(AT.toEpochMilli());
        assertThat(frame.pingSequence()).isEqualTo(ScannedFrame.ABSENT);
        assertThat(frame.droppedCount()).isEqualTo(ScannedFrame.ABSENT);
    }

    @Test
    void pingGivesItsSequenceAndNoSeq() {
        assertThat(scan(codec.encode(new Ping(7, AT)))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.PING);
        assertThat(frame.pingSequence()).isEqualTo(7);
        assertThat(frame.seq()).isEqualTo(ScannedFrame.ABSENT);
    }

    @Test
    void messagesDroppedNoticeGivesTheCountAndNoSeq() {
        assertThat(scan(codec.encode(ErrorEvent.messagesDropped(1315, AT)))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.ERROR);
        assertThat(frame.messagesDropped()).isTrue();
        assertThat(frame.droppedCount()).isEqualTo(1315);
        assertThat(frame.seq()).isEqualTo(ScannedFrame.ABSENT);
    }

    @Test
    void fieldNamesInsideStringsWithEscapedQuotesAreNotFields() {
        // Every field the scanner looks for appears inside the strings, after escaped quotes.
        String message = "broadcaster said \"seq\":1, \"event\":\"ping\", \"data\":{\"timestamp\":\"2001-01-01T00:00:00.000Z\"} \\\" end";
        ErrorEvent error = new ErrorEvent(ErrorCode.RTMP_CONNECTION_LOST, message, Severity.WARNING, true,
                "\"dropped_count\":99 \\ \"sequence\":5", null, AT);
        byte[] bytes = codec.encode(error, 9);
        assertThat(new String(bytes, UTF_8)).contains("\\\"seq\\\":1");

        assertThat(scan(bytes)).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.ERROR);
        assertThat(frame.seq()).isEqualTo(9);
        assertThat(frame.timestampMillis()).isEqualTo(AT.toEpochMilli());
        assertThat(frame.droppedCount()).isEqualTo(ScannedFrame.ABSENT);
        assertThat(frame.pingSequence()).isEqualTo(ScannedFrame.ABSENT);
        assertThat(frame.messagesDropped()).isFalse();
    }

    @Test
    void streamStartedWithUnicodeAndQuotesInItsStrings() {
        StreamStarted started = new StreamStarted("lt-0", "b-1", "Title with \"quotes\" and ünïcødé \u2603",
                "desc: {\"seq\": 5} [\"x\"]", "720p", 60, 3000, AT);
        assertThat(scan(codec.encode(started, 3))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.STREAM_STARTED);
        assertThat(frame.seq()).isEqualTo(3);
        assertThat(frame.timestampMillis()).isEqualTo(AT.toEpochMilli());
    }

    @Test
    void connectionLevelMessagesHaveNoSeq() {
        assertThat(scan(codec.encode(new ConnectionEstablished("lt-0", "lt-viewer-1", "session_00", "1.0", AT)))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.CONNECTION_ESTABLISHED);
        assertThat(frame.seq()).isEqualTo(ScannedFrame.ABSENT);

        StreamInfo info = new StreamInfo("r1", "lt-0", StreamStatus.ACTIVE, 3, 4, "720p", 2900, 60, 12, "b", AT);
        assertThat(scan(codec.encode(info))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.STREAM_INFO);
        assertThat(frame.seq()).isEqualTo(ScannedFrame.ABSENT);
    }

    @Test
    void viewerCountChangedCarriesSeq() {
        assertThat(scan(codec.encode(new ViewerCountChanged("lt-0", 10, 12, -2, AT), 1_234_567_890_123L))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.VIEWER_COUNT_CHANGED);
        assertThat(frame.seq()).isEqualTo(1_234_567_890_123L);
    }

    @Test
    void whitespaceKeyOrderAndUnknownFieldsDoNotMatter() {
        String json = " { \"data\" : { \"extra\" : {\"timestamp\":\"x\",\"a\":[1,{\"b\":\"}\"}]} , \"timestamp\" : \"2026-11-22T04:40:47.996Z\" } ,"
                + " \"future\":[true,null,-1.5e3] , \"seq\" : 12 , \"event\" : \"bitrate_update\" }\n";
        assertThat(scan(json.getBytes(UTF_8))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.BITRATE_UPDATE);
        assertThat(frame.seq()).isEqualTo(12);
        assertThat(frame.timestampMillis()).isEqualTo(AT.toEpochMilli());
    }

    @Test
    void valuesOfTheWrongShapeAreAbsent() {
        String json = "{\"event\":\"bitrate_update\",\"seq\":\"12\",\"data\":{\"timestamp\":\"yesterday\",\"sequence\":1.5}}";
        assertThat(scan(json.getBytes(UTF_8))).isTrue();
        assertThat(frame.seq()).isEqualTo(ScannedFrame.ABSENT);
        assertThat(frame.timestampMillis()).isEqualTo(ScannedFrame.ABSENT);
        assertThat(frame.pingSequence()).isEqualTo(ScannedFrame.ABSENT);
    }

    @Test
    void unknownEventsAreRecognisedAsSuch() {
        assertThat(scan("{\"event\":\"subscribe\",\"data\":{}}".getBytes(UTF_8))).isTrue();
        assertThat(frame.event()).isEqualTo(ServerEvent.UNKNOWN);
    }

    /** Values the scanner skips are only bracket-matched, not validated: it reads a trusted server's frames. */
    @Test
    void malformedFramesAreRefused() {
        byte[] full = codec.encode(new BitrateUpdate("lt-0", 4321, "1080p", StreamHealth.GOOD, AT), 42);
        for (int length = 0; length < full.length; length++) {
            assertThat(scanner.scan(full, 0, length, frame)).as("first %d bytes", length).isFalse();
        }
        for (String text : new String[] {"[1,2]", "hello", "{\"event\":\"ping\"}{}", "{\"event\" \"ping\"}",
                "{\"event\":\"ping\",}", "{\"data\":" + "[".repeat(40) + "]".repeat(40) + "}"}) {
            assertThat(scan(text.getBytes(UTF_8))).as(text).isFalse();
        }
    }

    @Test
    void scansARangeOfALargerArray() {
        byte[] bytes = codec.encode(new Ping(3, AT));
        byte[] padded = new byte[bytes.length + 20];
        System.arraycopy(bytes, 0, padded, 10, bytes.length);
        padded[9] = '"';
        padded[10 + bytes.length] = '}';

        assertThat(scanner.scan(padded, 10, 10 + bytes.length, frame)).isTrue();
        assertThat(frame.pingSequence()).isEqualTo(3);
    }

    private boolean scan(byte[] bytes) {
        return scanner.scan(bytes, 0, bytes.length, frame);
    }
}
