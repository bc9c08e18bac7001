package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * The viewer count moved. Joins and leaves are batched, so {@code change} is the net change since the
 * previous notice and may be negative.
 */
public record ViewerCountChanged(String streamId, int viewerCount, int peakViewers, int change, Instant timestamp)
        implements ServerMessage {

    public ViewerCountChanged {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.VIEWER_COUNT_CHANGED;
    }
}
