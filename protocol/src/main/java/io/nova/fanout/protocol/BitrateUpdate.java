package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/** A periodic bitrate measurement; see {@link StreamHealth#of(int, int)} for how health is derived. */
public record BitrateUpdate(
        String streamId, int currentBitrateKbps, String quality, StreamHealth health, Instant timestamp)
        implements ServerMessage {

    public BitrateUpdate {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.BITRATE_UPDATE;
    }
}
