package io.nova.fanout.server.stream;

import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.protocol.QualityChanged;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.protocol.StreamEnded;
import io.nova.fanout.protocol.StreamHealth;
import io.nova.fanout.protocol.StreamStarted;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.protocol.ViewerCountChanged;
import io.nova.fanout.server.stream.StreamOutcome.Reason;
import io.nova.fanout.server.stream.StreamOutcome.Refused;
import io.nova.fanout.server.stream.Transition.Step;
import java.time.Instant;

/**
 * A change to one stream. Each knows how to apply itself to a state: a pure function, so the
 * sequencer can apply a whole batch, check it, and only then commit and publish.
 */
public sealed interface StreamChange {

    Transition apply(StreamState state, ViewerCounts viewers, Instant now);

    /** Registers or updates metadata; publishes nothing. */
    record UpdateMetadata(StreamMetadata metadata) implements StreamChange {
        @Override
        public Transition apply(StreamState state, ViewerCounts viewers, Instant now) {
            if (state.status() == StreamStatus.ENDED) {
                return new Refused(Reason.CONFLICT, "stream " + state.streamId() + " has ended; register a new stream id");
            }
            return new Step(state.withMetadata(metadata, metadata.bitrateKbps()), null, false);
        }
    }

    /** Goes live and announces it. */
    record Start() implements StreamChange {
        @Override
        public Transition apply(StreamState state, ViewerCounts viewers, Instant now) {
            if (state.status() != StreamStatus.SCHEDULED) {
                return new Refused(Reason.CONFLICT, "stream " + state.streamId() + " is " + state.status().wireName()
                        + "; only a scheduled stream can start");
            }
            StreamState next = state.started(now);
            return new Step(next, streamStarted(next), false);
        }
    }

    record ChangeQuality(String newQuality, int newBitrateKbps, Integer fps, QualityChangeReason reason)
            implements StreamChange {
        @Override
        public Transition apply(StreamState state, ViewerCounts viewers, Instant now) {
            if (state.status() == StreamStatus.ENDED) {
                return endedRefusal(state);
            }
            StreamMetadata before = state.metadata();
            int newFps = fps != null ? fps : before.fps();
            StreamState next = state.withMetadata(before.withQuality(newQuality, newBitrateKbps, newFps), newBitrateKbps);
            return new Step(next, new QualityChanged(state.streamId(), before.quality(), newQuality,
                    before.bitrateKbps(), newBitrateKbps, newFps, reason, now), false);
        }
    }

    /**
     * A bitrate measurement.
     *
     * @param measuredAt when the broadcaster measured it, which the event's {@code timestamp} reports; {@code null}
     *                   for "now"
     */
    record ReportBitrate(int currentBitrateKbps, Instant measuredAt) implements StreamChange {
        public ReportBitrate(int currentBitrateKbps) {
            this(currentBitrateKbps, null);
        }

        @Override
        public Transition apply(StreamState state, ViewerCounts viewers, Instant now) {
            if (state.status() == StreamStatus.ENDED) {
                return endedRefusal(state);
            }
            StreamHealth health = StreamHealth.of(currentBitrateKbps, state.metadata().bitrateKbps());
            return new Step(state.withCurrentBitrate(currentBitrateKbps), new BitrateUpdate(state.streamId(),
                    currentBitrateKbps, state.metadata().quality(), health, measuredAt != null ? measuredAt : now),
                    false);
        }
    }

    record RaiseError(ErrorCode errorCode, String errorMessage, Severity severity, boolean recoverable,
            String suggestedAction) implements StreamChange {
        @Override
        public Transition apply(StreamState state, ViewerCounts viewers, Instant now) {
            if (state.status() == StreamStatus.ENDED) {
                return endedRefusal(state);
            }
            return new Step(state, new ErrorEvent(errorCode, errorMessage, severity, recoverable,
                    suggestedAction, null, now), false);
        }
    }

    record End(EndReason reason) implements StreamChange {
        @Override
        public Transition apply(StreamState state, ViewerCounts viewers, Instant now) {
            if (state.status() == StreamStatus.ENDED) {
                return endedRefusal(state);
            }
            StreamState next = state.ended(reason, now).withAnnouncedViewers(viewers.current());
            return new Step(next, new StreamEnded(state.streamId(), next.durationSeconds(now), viewers.peak(),
                    viewers.current(), reason, now), true);
        }
    }

    /** The batched viewer count: publishes the net change since the last announcement, if any. */
    record AnnounceViewers() implements StreamChange {
        @Override
        public Transition apply(StreamState state, ViewerCounts viewers, Instant now) {
            int change = viewers.current() - state.announcedViewers();
            if (change == 0 || state.status() == StreamStatus.ENDED) {
                return new Step(state, null, false);
            }
            return new Step(state.withAnnouncedViewers(viewers.current()), new ViewerCountChanged(state.streamId(),
                    viewers.current(), viewers.peak(), change, now), false);
        }
    }

    /** The {@code stream_started} that describes a live state, also sent to viewers who join later. */
    static StreamStarted streamStarted(StreamState state) {
        StreamMetadata m = state.metadata();
        return new StreamStarted(state.streamId(), m.broadcasterId(), m.title(), m.description(), m.quality(),
                m.fps(), m.bitrateKbps(), state.startedAt());
    }

    private static Refused endedRefusal(StreamState state) {
        return new Refused(Reason.CONFLICT, "stream " + state.streamId() + " has ended");
    }
}
