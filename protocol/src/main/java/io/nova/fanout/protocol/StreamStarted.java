package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * The stream began broadcasting. A {@code null} description becomes {@code ""}: the seed always sends
 * the field, and clients should not have to tell "absent" from "empty".
 */
public record StreamStarted(
        String streamId, String broadcasterId, String title, String description, String quality,
        int fps, int bitrateKbps, Instant timestamp)
        implements ServerMessage {

    public StreamStarted {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(broadcasterId, "broadcasterId");
        Objects.requireNonNull(title, "title");
        description = description == null ? "" : description;
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.STREAM_STARTED;
    }
}
