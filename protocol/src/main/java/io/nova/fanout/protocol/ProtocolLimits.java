package io.nova.fanout.protocol;

import java.util.regex.Pattern;

/** The numbers the protocol fixes; the server does not make them configurable unless it says so. */
public final class ProtocolLimits {

    /** The only protocol version this implementation speaks; also the default when a client names none. */
    public static final String PROTOCOL_VERSION = "1.0";

    /** Largest frame either side may send: the seed's 256 KB message size limit. */
    public static final int MAX_FRAME_BYTES = 262_144;

    /** Messages a viewer may have pending before the oldest are dropped: the seed's backlog buffer. */
    public static final int BUFFER_SIZE = 100;

    /** Longest {@code report_issue.description} accepted, so one report cannot flood the issue log. */
    public static final int MAX_ISSUE_DESCRIPTION_CHARS = 2_000;

    /** Longest {@code get_stream_info.request_id}; it is echoed back, so it is bounded like any echo. */
    public static final int MAX_REQUEST_ID_CHARS = 128;

    /** Longest value of each string field of {@code report_issue.client_info}. */
    public static final int MAX_CLIENT_INFO_FIELD_CHARS = 256;

    /**
     * Longest {@code pong.timestamp}. The server never parses the client's clock, it only bounds what it
     * is willing to hold on to.
     */
    public static final int MAX_CLIENT_TIMESTAMP_CHARS = 64;

    /**
     * Longest viewer token, in the handshake and in {@code refresh_token}: far above any real JWT, and a
     * bound on the work a hostile one can cause.
     */
    public static final int MAX_TOKEN_CHARS = 8 * 1024;

    /** Stream ids are path segments and metric tags, so they are restricted to URL- and log-safe text. */
    public static final String STREAM_ID_REGEX = "[A-Za-z0-9._-]{1,128}";

    /**
     * RFC 6455 caps a control frame payload at 125 bytes, two of which carry the close code, so a close
     * reason has 123 bytes of UTF-8 at most.
     */
    public static final int MAX_CLOSE_REASON_BYTES = 123;

    private static final Pattern STREAM_ID = Pattern.compile(STREAM_ID_REGEX);

    private ProtocolLimits() {
    }

    /** Whether {@code streamId} matches {@link #STREAM_ID_REGEX}; {@code null} is not a stream id. */
    public static boolean isValidStreamId(String streamId) {
        return streamId != null && STREAM_ID.matcher(streamId).matches();
    }
}
