package io.nova.fanout.protocol;

import java.util.Objects;

/**
 * A viewer reports a playback problem; the server only logs it.
 *
 * @param description free text of at most {@link ProtocolLimits#MAX_ISSUE_DESCRIPTION_CHARS}, or {@code null}
 * @param clientInfo what the viewer is playing on, or {@code null}
 */
public record ReportIssue(IssueType issueType, IssueSeverity severity, String description, ClientInfo clientInfo)
        implements ClientMessage {

    public ReportIssue {
        Objects.requireNonNull(issueType, "issueType");
        Objects.requireNonNull(severity, "severity");
    }

    @Override
    public String eventName() {
        return EventNames.REPORT_ISSUE;
    }
}
