package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/** The answer to {@link GetStreamInfo}: a snapshot of the stream, tagged with the request's id. */
public record StreamInfo(
        String requestId, String streamId, StreamStatus status, int viewerCount, int peakViewers,
        String quality, int bitrateKbps, int fps, long durationSeconds, String broadcasterName,
        Instant timestamp)
        implements ServerMessage {

    public StreamInfo {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(quality, "quality");
        Objects.requireNonNull(broadcasterName, "broadcasterName");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.STREAM_INFO;
    }
}
