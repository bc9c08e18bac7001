package io.nova.fanout.server.session;

import io.nova.fanout.protocol.ClientInfo;
import io.nova.fanout.protocol.ReportIssue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Writes each viewer-reported issue as one structured {@code key=value} log line, for quality monitoring. */
public final class ViewerIssueLog {
    private final Logger log;

    public ViewerIssueLog() {
        this(LoggerFactory.getLogger("nova.viewer.issues"));
    }

    ViewerIssueLog(Logger log) {
        this.log = log;
    }

    void record(ViewerAdmission viewer, String sessionId, ReportIssue issue) {
        if (!log.isInfoEnabled()) {
            return;
        }
        StringBuilder line = new StringBuilder(256).append("viewer_issue");
        field(line, "stream_id", viewer.stream().id());
        field(line, "viewer_id", viewer.viewerId());
        field(line, "session_id", sessionId);
        field(line, "issue_type", issue.issueType().wireName());
        field(line, "severity", issue.severity().wireName());
        field(line, "description", issue.description());
        ClientInfo client = issue.clientInfo();
        if (client != null) {
            field(line, "player", client.player());
            field(line, "browser", client.browser());
            field(line, "os", client.os());
            field(line, "network", client.network());
            field(line, "bandwidth_estimate_kbps",
                    client.bandwidthEstimateKbps() == null ? null : client.bandwidthEstimateKbps().toString());
        }
        log.info(line.toString());
    }

    /** Quotes every value and escapes what could forge a second line or field: viewers write these strings. */
    private static void field(StringBuilder line, String key, String value) {
        if (value == null) {
            return;
        }
        line.append(' ').append(key).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> line.append("\\\"");
                case '\\' -> line.append("\\\\");
                case '\n' -> line.append("\\n");
                case '\r' -> line.append("\\r");
                case '\t' -> line.append("\\t");
                default -> {
                    // C0, DEL, C1 (NEL among them) and the Unicode line separators all end lines for some tools.
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        line.append(String.format("\\u%04x", (int) c));
                    } else {
                        line.append(c);
                    }
                }
            }
        }
        line.append('"');
    }
}
