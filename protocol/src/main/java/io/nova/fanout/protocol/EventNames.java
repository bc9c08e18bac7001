package io.nova.fanout.protocol;

/** The {@code "event"} value of every message, as spelled by the seed. */
public final class EventNames {

    // Server to client.
    public static final String CONNECTION_ESTABLISHED = "connection_established";
    public static final String STREAM_STARTED = "stream_started";
    public static final String STREAM_ENDED = "stream_ended";
    public static final String VIEWER_COUNT_CHANGED = "viewer_count_changed";
    public static final String QUALITY_CHANGED = "quality_changed";
    public static final String BITRATE_UPDATE = "bitrate_update";
    public static final String ERROR = "error";
    public static final String PING = "ping";
    public static final String STREAM_INFO = "stream_info";
    /** Not in the seed: the answer to an accepted {@link #REFRESH_TOKEN}. */
    public static final String TOKEN_REFRESHED = "token_refreshed";

    // Client to server.
    public static final String PONG = "pong";
    public static final String GET_STREAM_INFO = "get_stream_info";
    public static final String REPORT_ISSUE = "report_issue";
    /** Not in the seed: a new token for a connection whose token is about to expire. */
    public static final String REFRESH_TOKEN = "refresh_token";

    private EventNames() {
    }
}
