package io.nova.fanout.server.stream;

import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.StreamStatus;
import java.time.Duration;
import java.time.Instant;

/**
 * An immutable snapshot of a stream, replaced as a whole by the stream's home event loop on every change.
 *
 * @param seq                the {@code seq} of the last event applied to this state (0 before the first)
 * @param currentBitrateKbps the last measured bitrate; the nominal one is {@code metadata.bitrateKbps()}
 * @param announcedViewers   the viewer count the last {@code viewer_count_changed} reported
 */
public record StreamState(
        String streamId,
        StreamStatus status,
        StreamMetadata metadata,
        int currentBitrateKbps,
        long seq,
        int announcedViewers,
        Instant createdAt,
        Instant startedAt,
        Instant endedAt,
        EndReason endReason) {

    static StreamState scheduled(String streamId, StreamMetadata metadata, Instant now) {
        return new StreamState(streamId, StreamStatus.SCHEDULED, metadata, metadata.bitrateKbps(), 0, 0, now, null, null, null);
    }

    /** Whole seconds the stream has been live: up to now while active, up to its end once ended. */
    public long durationSeconds(Instant now) {
        if (startedAt == null) {
            return 0;
        }
        Instant until = endedAt != null ? endedAt : now;
        return Math.max(0, Duration.between(startedAt, until).getSeconds());
    }

    StreamState withSeq(long newSeq) {
        return new StreamState(streamId, status, metadata, currentBitrateKbps, newSeq, announcedViewers, createdAt, startedAt, endedAt, endReason);
    }

    StreamState withMetadata(StreamMetadata newMetadata, int newCurrentBitrateKbps) {
        return new StreamState(streamId, status, newMetadata, newCurrentBitrateKbps, seq, announcedViewers, createdAt, startedAt, endedAt, endReason);
    }

    StreamState withCurrentBitrate(int kbps) {
        return new StreamState(streamId, status, metadata, kbps, seq, announcedViewers, createdAt, startedAt, endedAt, endReason);
    }

    StreamState withAnnouncedViewers(int viewers) {
        return new StreamState(streamId, status, metadata, currentBitrateKbps, seq, viewers, createdAt, startedAt, endedAt, endReason);
    }

    StreamState started(Instant now) {
        return new StreamState(streamId, StreamStatus.ACTIVE, metadata, currentBitrateKbps, seq, announcedViewers, createdAt, now, null, null);
    }

    StreamState ended(EndReason reason, Instant now) {
        return new StreamState(streamId, StreamStatus.ENDED, metadata, currentBitrateKbps, seq, announcedViewers, createdAt, startedAt, now, reason);
    }
}
