package io.nova.fanout.server.session;

import static io.nova.fanout.server.session.SessionFixtures.NOW;
import static io.nova.fanout.server.session.SessionFixtures.await;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.netty.channel.embedded.EmbeddedChannel;
import io.nova.fanout.protocol.ClientInfo;
import io.nova.fanout.protocol.IssueSeverity;
import io.nova.fanout.protocol.IssueType;
import io.nova.fanout.protocol.ReportIssue;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.InProcessEventBus;
import io.nova.fanout.server.session.SessionFixtures.CapturedIssueLog;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ViewerIssueLogTest {
    private static final String SESSION = "session_0123456789abcdef";
    private static final Instant EXPIRES_AT = Instant.parse("2030-01-01T00:00:00Z");
    private static final ClientInfo CLIENT = new ClientInfo("video.js", "Chrome 120", "macOS 14.1", "wifi", 8000);

    private EmbeddedChannel loop;
    private StreamRegistry registry;
    private Stream stream;

    @BeforeEach
    void registerStream() {
        loop = new EmbeddedChannel();
        registry = new StreamRegistry(loop.eventLoop(), SessionFixtures.encoder(),
                new InProcessEventBus(new Fanout(List.of(loop.eventLoop()), System::nanoTime, latency -> { })), Clock.fixed(NOW, ZoneOffset.UTC),
                65536, Duration.ofDays(1), 0, Duration.ofMinutes(1));
        await(loop, registry.register("s1", SessionFixtures.metadata()));
        stream = registry.find("s1").orElseThrow();
    }

    @AfterEach
    void closeLoop() {
        registry.close();
        assertThat(loop.finishAndReleaseAll()).isFalse();
    }

    private static List<String> record(ViewerAdmission viewer, ReportIssue issue) {
        CapturedIssueLog log = new CapturedIssueLog(Level.INFO);
        log.issueLog().record(viewer, SESSION, issue);
        return log.lines();
    }

    @Test
    void writesOneKeyValueLineWithEveryField() {
        List<String> lines = record(new ViewerAdmission(stream, "viewer-1", EXPIRES_AT),
                new ReportIssue(IssueType.BUFFERING, IssueSeverity.HIGH, "Stream is constantly buffering", CLIENT));

        assertThat(lines).containsExactly("viewer_issue stream_id=\"s1\" viewer_id=\"viewer-1\""
                + " session_id=\"" + SESSION + "\" issue_type=\"buffering\" severity=\"high\""
                + " description=\"Stream is constantly buffering\" player=\"video.js\" browser=\"Chrome 120\""
                + " os=\"macOS 14.1\" network=\"wifi\" bandwidth_estimate_kbps=\"8000\"");
    }

    @Test
    void leavesAbsentFieldsOut() {
        List<String> bare = record(new ViewerAdmission(stream, "viewer-1", EXPIRES_AT),
                new ReportIssue(IssueType.PLAYBACK_ERROR, IssueSeverity.LOW, null, null));
        List<String> partial = record(new ViewerAdmission(stream, "viewer-1", EXPIRES_AT),
                new ReportIssue(IssueType.LAG, IssueSeverity.MEDIUM, null, new ClientInfo(null, "Firefox", null, null, null)));

        assertThat(bare).containsExactly("viewer_issue stream_id=\"s1\" viewer_id=\"viewer-1\" session_id=\""
                + SESSION + "\" issue_type=\"playback_error\" severity=\"low\"");
        assertThat(partial).containsExactly("viewer_issue stream_id=\"s1\" viewer_id=\"viewer-1\" session_id=\""
                + SESSION + "\" issue_type=\"lag\" severity=\"medium\" browser=\"Firefox\"");
    }

    @Test
    void escapesWhatCouldForgeALineOrAField() {
        String hostile = "a\"b\\c\nviewer_issue fake=\"1\r\t\u0001\u007f";

        List<String> lines = record(new ViewerAdmission(stream, "viewer-1", EXPIRES_AT),
                new ReportIssue(IssueType.OTHER, IssueSeverity.LOW, hostile, null));

        assertThat(lines).singleElement().satisfies(line -> {
            assertThat(line).doesNotContain("\n", "\r", "\t", "\u0001", "\u007f");
            assertThat(line).endsWith(
                    " description=\"a\\\"b\\\\c\\nviewer_issue fake=\\\"1\\r\\t\\u0001\\u007f\"");
        });
    }

    @Test
    void escapesTheViewerIdAndClientInfoToo() {
        List<String> lines = record(new ViewerAdmission(stream, "evil\" severity=\"low", EXPIRES_AT),
                new ReportIssue(IssueType.QUALITY, IssueSeverity.HIGH, null,
                        new ClientInfo("p\nq", null, null, null, null)));

        assertThat(lines).singleElement().satisfies(line -> assertThat(line)
                .contains("viewer_id=\"evil\\\" severity=\\\"low\"")
                .endsWith(" player=\"p\\nq\""));
    }

    @Test
    void keepsPrintableNonAsciiText() {
        List<String> lines = record(new ViewerAdmission(stream, "viewer-1", EXPIRES_AT),
                new ReportIssue(IssueType.OTHER, IssueSeverity.LOW, "café – 画面が止まる 🎮", null));

        assertThat(lines).singleElement().satisfies(line ->
                assertThat(line).endsWith(" description=\"café – 画面が止まる 🎮\""));
    }

    @Test
    void writesNothingWhenInfoIsDisabled() {
        CapturedIssueLog log = new CapturedIssueLog(Level.WARN);

        log.issueLog().record(new ViewerAdmission(stream, "viewer-1", EXPIRES_AT),
                SESSION, new ReportIssue(IssueType.LAG, IssueSeverity.HIGH, "x", CLIENT));

        assertThat(log.lines()).isEmpty();
    }
}
