package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/** The broadcaster or the encoder switched to another quality level. */
public record QualityChanged(
        String streamId, String previousQuality, String newQuality, int previousBitrateKbps,
        int newBitrateKbps, int fps, QualityChangeReason reason, Instant timestamp)
        implements ServerMessage {

    public QualityChanged {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(previousQuality, "previousQuality");
        Objects.requireNonNull(newQuality, "newQuality");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.QUALITY_CHANGED;
    }
}
