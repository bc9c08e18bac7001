package io.nova.fanout.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.time.Instant;

/**
 * Writes server events field by field with the streaming generator: this runs once per published event,
 * so there is no reflection and no intermediate tree. Data keys follow the record components' order.
 */
final class ServerMessageWriter {

    // Always three fraction digits, as in the seed, so every timestamp has the same width.

    /** Writes the whole frame; a negative {@code seq} leaves the key out. */
    void write(JsonGenerator json, ServerMessage message, long seq) throws IOException {
        json.writeStartObject();
        json.writeStringField(Envelope.EVENT, message.eventName());
        if (seq >= 0) {
            json.writeNumberField(Envelope.SEQ, seq);
        }
        json.writeObjectFieldStart(Envelope.DATA);
        writeData(json, message);
        json.writeEndObject();
        json.writeEndObject();
    }

    private void writeData(JsonGenerator json, ServerMessage message) throws IOException {
        // An instanceof chain because switch patterns need Java 21; the sealed interface bounds the cases.
        if (message instanceof ConnectionEstablished m) {
            json.writeStringField("stream_id", m.streamId());
            json.writeStringField("viewer_id", m.viewerId());
            json.writeStringField("session_id", m.sessionId());
            json.writeStringField("protocol_version", m.protocolVersion());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof StreamStarted m) {
            json.writeStringField("stream_id", m.streamId());
            json.writeStringField("broadcaster_id", m.broadcasterId());
            json.writeStringField("title", m.title());
            json.writeStringField("description", m.description());
            json.writeStringField("quality", m.quality());
            json.writeNumberField("fps", m.fps());
            json.writeNumberField("bitrate_kbps", m.bitrateKbps());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof StreamEnded m) {
            json.writeStringField("stream_id", m.streamId());
            json.writeNumberField("duration_seconds", m.durationSeconds());
            json.writeNumberField("peak_viewers", m.peakViewers());
            json.writeNumberField("final_viewer_count", m.finalViewerCount());
            json.writeStringField("reason", m.reason().wireName());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof ViewerCountChanged m) {
            json.writeStringField("stream_id", m.streamId());
            json.writeNumberField("viewer_count", m.viewerCount());
            json.writeNumberField("peak_viewers", m.peakViewers());
            json.writeNumberField("change", m.change());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof QualityChanged m) {
            json.writeStringField("stream_id", m.streamId());
            json.writeStringField("previous_quality", m.previousQuality());
            json.writeStringField("new_quality", m.newQuality());
            json.writeNumberField("previous_bitrate_kbps", m.previousBitrateKbps());
            json.writeNumberField("new_bitrate_kbps", m.newBitrateKbps());
            json.writeNumberField("fps", m.fps());
            json.writeStringField("reason", m.reason().wireName());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof BitrateUpdate m) {
            json.writeStringField("stream_id", m.streamId());
            json.writeNumberField("current_bitrate_kbps", m.currentBitrateKbps());
            json.writeStringField("quality", m.quality());
            json.writeStringField("health", m.health().wireName());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof ErrorEvent m) {
            json.writeStringField("error_code", m.errorCode().wireName());
            json.writeStringField("error_message", m.errorMessage());
            json.writeStringField("severity", m.severity().wireName());
            json.writeBooleanField("recoverable", m.recoverable());
            OptionalFields.write(json, "suggested_action", m.suggestedAction());
            OptionalFields.write(json, "dropped_count", m.droppedCount());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof Ping m) {
            json.writeNumberField("sequence", m.sequence());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof StreamInfo m) {
            json.writeStringField("request_id", m.requestId());
            json.writeStringField("stream_id", m.streamId());
            json.writeStringField("status", m.status().wireName());
            json.writeNumberField("viewer_count", m.viewerCount());
            json.writeNumberField("peak_viewers", m.peakViewers());
            json.writeStringField("quality", m.quality());
            json.writeNumberField("bitrate_kbps", m.bitrateKbps());
            json.writeNumberField("fps", m.fps());
            json.writeNumberField("duration_seconds", m.durationSeconds());
            json.writeStringField("broadcaster_name", m.broadcasterName());
            writeTimestamp(json, m.timestamp());
        } else if (message instanceof TokenRefreshed m) {
            json.writeStringField("expires_at", Timestamps.format(m.expiresAt()));
            writeTimestamp(json, m.timestamp());
        } else {
            throw new AssertionError("unhandled server message: " + message.getClass().getName());
        }
    }

    private static void writeTimestamp(JsonGenerator json, Instant timestamp) throws IOException {
        json.writeStringField("timestamp", Timestamps.format(timestamp));
    }
}
