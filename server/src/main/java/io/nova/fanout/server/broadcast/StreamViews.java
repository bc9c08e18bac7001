package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nova.fanout.protocol.Timestamps;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamMetadata;
import io.nova.fanout.server.stream.StreamState;
import io.nova.fanout.server.stream.ViewerCounts;
import java.time.Clock;
import java.time.Instant;

/** The JSON the internal API answers with for a stream: its state and its live counts. */
final class StreamViews {
    private final ObjectMapper mapper;
    private final Clock clock;

    StreamViews(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    ObjectNode view(Stream stream, StreamState state) {
        StreamMetadata m = state.metadata();
        ViewerCounts viewers = stream.viewerCounts();
        ObjectNode node = mapper.createObjectNode()
                .put("stream_id", state.streamId())
                .put("status", state.status().wireName())
                .put("broadcaster_id", m.broadcasterId())
                .put("broadcaster_name", m.broadcasterName())
                .put("title", m.title())
                .put("description", m.description())
                .put("quality", m.quality())
                .put("fps", m.fps())
                .put("bitrate_kbps", m.bitrateKbps())
                .put("current_bitrate_kbps", state.currentBitrateKbps())
                .put("viewer_count", viewers.current())
                .put("peak_viewers", viewers.peak())
                .put("seq", state.seq())
                .put("duration_seconds", state.durationSeconds(clock.instant()));
        timestamp(node, "created_at", state.createdAt());
        timestamp(node, "started_at", state.startedAt());
        timestamp(node, "ended_at", state.endedAt());
        node.put("end_reason", state.endReason() == null ? null : state.endReason().wireName());
        return node;
    }

    private static void timestamp(ObjectNode node, String field, Instant instant) {
        node.put(field, instant == null ? null : Timestamps.format(instant));
    }
}
