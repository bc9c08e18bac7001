package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/** The stream stopped broadcasting; the server closes the viewer's connection after sending it. */
public record StreamEnded(
        String streamId, long durationSeconds, int peakViewers, int finalViewerCount, EndReason reason,
        Instant timestamp)
        implements ServerMessage {

    public StreamEnded {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.STREAM_ENDED;
    }
}
