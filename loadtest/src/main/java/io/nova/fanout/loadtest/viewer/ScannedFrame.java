package io.nova.fanout.loadtest.viewer;

/**
 * The few fields a viewer acts on, as {@link FrameScanner} found them in one frame. One instance per event
 * loop is reused for every frame, so nothing here is allocated per message. Not thread-safe.
 */
public final class ScannedFrame {
    /** The value of a number field the frame does not have. */
    public static final long ABSENT = -1;

    private ServerEvent event;
    private long seq;
    private long timestampMillis;
    private long pingSequence;
    private long droppedCount;
    private boolean messagesDropped;

    public ScannedFrame() {
        reset();
    }

    void reset() {
        event = ServerEvent.UNKNOWN;
        seq = ABSENT;
        timestampMillis = ABSENT;
        pingSequence = ABSENT;
        droppedCount = ABSENT;
        messagesDropped = false;
    }

    /** The envelope's {@code event}. */
    public ServerEvent event() {
        return event;
    }

    /** The envelope's {@code seq}, or {@link #ABSENT}. */
    public long seq() {
        return seq;
    }

    /** {@code data.timestamp} in epoch milliseconds, or {@link #ABSENT} if missing or not in the protocol's form. */
    public long timestampMillis() {
        return timestampMillis;
    }

    /** {@code data.sequence} of a ping, or {@link #ABSENT}. */
    public long pingSequence() {
        return pingSequence;
    }

    /** {@code data.dropped_count} of a MESSAGES_DROPPED notice, or {@link #ABSENT}. */
    public long droppedCount() {
        return droppedCount;
    }

    /** Whether {@code data.error_code} is {@code MESSAGES_DROPPED}. */
    public boolean messagesDropped() {
        return messagesDropped;
    }

    void event(ServerEvent value) {
        event = value;
    }

    void seq(long value) {
        seq = value;
    }

    void timestampMillis(long value) {
        timestampMillis = value;
    }

    void pingSequence(long value) {
        pingSequence = value;
    }

    void droppedCount(long value) {
        droppedCount = value;
    }

    void messagesDropped(boolean value) {
        messagesDropped = value;
    }
}
