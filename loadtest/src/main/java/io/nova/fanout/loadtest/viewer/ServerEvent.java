package io.nova.fanout.loadtest.viewer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.nova.fanout.protocol.EventNames;
import java.util.Arrays;

/** The {@code event} names a server sends, recognised from their bytes without building a String. */
public enum ServerEvent {
    BITRATE_UPDATE(EventNames.BITRATE_UPDATE, true),
    VIEWER_COUNT_CHANGED(EventNames.VIEWER_COUNT_CHANGED, true),
    PING(EventNames.PING, false),
    CONNECTION_ESTABLISHED(EventNames.CONNECTION_ESTABLISHED, false),
    STREAM_STARTED(EventNames.STREAM_STARTED, true),
    QUALITY_CHANGED(EventNames.QUALITY_CHANGED, true),
    STREAM_ENDED(EventNames.STREAM_ENDED, true),
    /** A stream-level error when it has a {@code seq}; the connection-level MESSAGES_DROPPED notice when not. */
    ERROR(EventNames.ERROR, true),
    STREAM_INFO(EventNames.STREAM_INFO, false),
    /** A name this version of the protocol does not have. */
    UNKNOWN("", false);

    // Most frequent first: the lookup stops at the first match.
    private static final ServerEvent[] KNOWN = Arrays.stream(values()).filter(e -> e != UNKNOWN).toArray(ServerEvent[]::new);

    private final byte[] wireName;
    private final boolean streamEvent;

    ServerEvent(String wireName, boolean streamEvent) {
        this.wireName = wireName.getBytes(US_ASCII);
        this.streamEvent = streamEvent;
    }

    /** Whether the event can belong to the stream's {@code seq} sequence. */
    public boolean streamEvent() {
        return streamEvent;
    }

    /** The event whose name is the raw (unescaped) string content {@code bytes[from, to)}. */
    static ServerEvent of(byte[] bytes, int from, int to) {
        int length = to - from;
        for (ServerEvent event : KNOWN) {
            if (event.wireName.length == length && Arrays.equals(bytes, from, to, event.wireName, 0, length)) {
                return event;
            }
        }
        return UNKNOWN;
    }
}
