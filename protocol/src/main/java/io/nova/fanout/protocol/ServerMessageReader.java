package io.nova.fanout.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.BiFunction;

/**
 * Reads server events back into records, for Java clients, the load tester and tests. Lenient where a
 * newer server may add things (unknown keys are ignored at every level), strict where a value would
 * otherwise be misread (types, enum values, timestamps).
 */
final class ServerMessageReader {

    private final Map<String, BiFunction<FieldReader, OptionalLong, DecodeResult<ServerMessage>>> readersByEvent =
            Map.of(
                    EventNames.CONNECTION_ESTABLISHED, this::readConnectionEstablished,
                    EventNames.STREAM_STARTED, this::readStreamStarted,
                    EventNames.STREAM_ENDED, this::readStreamEnded,
                    EventNames.VIEWER_COUNT_CHANGED, this::readViewerCountChanged,
                    EventNames.QUALITY_CHANGED, this::readQualityChanged,
                    EventNames.BITRATE_UPDATE, this::readBitrateUpdate,
                    EventNames.ERROR, this::readErrorEvent,
                    EventNames.PING, this::readPing,
                    EventNames.STREAM_INFO, this::readStreamInfo,
                    EventNames.TOKEN_REFRESHED, this::readTokenRefreshed);

    DecodeResult<ServerMessage> read(JsonNode root) {
        String problem = Envelope.problemWith(root, readersByEvent.keySet());
        if (problem != null) {
            return Reasons.invalid(problem);
        }
        JsonNode seq = root.get(Envelope.SEQ);
        boolean hasSeq = seq != null && !seq.isNull();
        if (hasSeq && !(seq.isIntegralNumber() && seq.canConvertToLong() && seq.longValue() >= 0)) {
            return Reasons.invalid("seq: expected a non-negative integer");
        }
        FieldReader data = new FieldReader(root.get(Envelope.DATA), Envelope.DATA + ".");
        return readersByEvent.get(root.get(Envelope.EVENT).textValue())
                .apply(data, hasSeq ? OptionalLong.of(seq.longValue()) : OptionalLong.empty());
    }

    private DecodeResult<ServerMessage> readConnectionEstablished(FieldReader data, OptionalLong seq) {
        String streamId = data.requiredString("stream_id");
        String viewerId = data.requiredString("viewer_id");
        String sessionId = data.requiredString("session_id");
        String protocolVersion = data.requiredString("protocol_version");
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new ConnectionEstablished(
                streamId, viewerId, sessionId, protocolVersion, timestamp));
    }

    private DecodeResult<ServerMessage> readStreamStarted(FieldReader data, OptionalLong seq) {
        String streamId = data.requiredString("stream_id");
        String broadcasterId = data.requiredString("broadcaster_id");
        String title = data.requiredString("title");
        String description = data.optionalString("description");
        String quality = data.requiredString("quality");
        int fps = data.requiredInt("fps");
        int bitrateKbps = data.requiredInt("bitrate_kbps");
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new StreamStarted(
                streamId, broadcasterId, title, description, quality, fps, bitrateKbps, timestamp));
    }

    private DecodeResult<ServerMessage> readStreamEnded(FieldReader data, OptionalLong seq) {
        String streamId = data.requiredString("stream_id");
        long durationSeconds = data.requiredLong("duration_seconds");
        int peakViewers = data.requiredInt("peak_viewers");
        int finalViewerCount = data.requiredInt("final_viewer_count");
        EndReason reason = data.requiredEnum("reason", EndReason.WIRE);
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new StreamEnded(
                streamId, durationSeconds, peakViewers, finalViewerCount, reason, timestamp));
    }

    private DecodeResult<ServerMessage> readViewerCountChanged(FieldReader data, OptionalLong seq) {
        String streamId = data.requiredString("stream_id");
        int viewerCount = data.requiredInt("viewer_count");
        int peakViewers = data.requiredInt("peak_viewers");
        int change = data.requiredInt("change");
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new ViewerCountChanged(streamId, viewerCount, peakViewers, change, timestamp));
    }

    private DecodeResult<ServerMessage> readQualityChanged(FieldReader data, OptionalLong seq) {
        String streamId = data.requiredString("stream_id");
        String previousQuality = data.requiredString("previous_quality");
        String newQuality = data.requiredString("new_quality");
        int previousBitrateKbps = data.requiredInt("previous_bitrate_kbps");
        int newBitrateKbps = data.requiredInt("new_bitrate_kbps");
        int fps = data.requiredInt("fps");
        QualityChangeReason reason = data.requiredEnum("reason", QualityChangeReason.WIRE);
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new QualityChanged(
                streamId, previousQuality, newQuality, previousBitrateKbps, newBitrateKbps, fps, reason, timestamp));
    }

    private DecodeResult<ServerMessage> readBitrateUpdate(FieldReader data, OptionalLong seq) {
        String streamId = data.requiredString("stream_id");
        int currentBitrateKbps = data.requiredInt("current_bitrate_kbps");
        String quality = data.requiredString("quality");
        StreamHealth health = data.requiredEnum("health", StreamHealth.WIRE);
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new BitrateUpdate(streamId, currentBitrateKbps, quality, health, timestamp));
    }

    private DecodeResult<ServerMessage> readErrorEvent(FieldReader data, OptionalLong seq) {
        ErrorCode errorCode = data.requiredEnum("error_code", ErrorCode.WIRE);
        String errorMessage = data.requiredString("error_message");
        Severity severity = data.requiredEnum("severity", Severity.WIRE);
        boolean recoverable = data.requiredBoolean("recoverable");
        String suggestedAction = data.optionalString("suggested_action");
        Long droppedCount = data.optionalNonNegativeLong("dropped_count");
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new ErrorEvent(
                errorCode, errorMessage, severity, recoverable, suggestedAction, droppedCount, timestamp));
    }

    private DecodeResult<ServerMessage> readPing(FieldReader data, OptionalLong seq) {
        long sequence = data.requiredLong("sequence");
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new Ping(sequence, timestamp));
    }

    private DecodeResult<ServerMessage> readTokenRefreshed(FieldReader data, OptionalLong seq) {
        Instant expiresAt = data.requiredInstant("expires_at");
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new TokenRefreshed(expiresAt, timestamp));
    }

    private DecodeResult<ServerMessage> readStreamInfo(FieldReader data, OptionalLong seq) {
        String requestId = data.requiredString("request_id");
        String streamId = data.requiredString("stream_id");
        StreamStatus status = data.requiredEnum("status", StreamStatus.WIRE);
        int viewerCount = data.requiredInt("viewer_count");
        int peakViewers = data.requiredInt("peak_viewers");
        String quality = data.requiredString("quality");
        int bitrateKbps = data.requiredInt("bitrate_kbps");
        int fps = data.requiredInt("fps");
        long durationSeconds = data.requiredLong("duration_seconds");
        String broadcasterName = data.requiredString("broadcaster_name");
        Instant timestamp = data.requiredInstant("timestamp");
        return data.result(seq, () -> new StreamInfo(requestId, streamId, status, viewerCount, peakViewers,
                quality, bitrateKbps, fps, durationSeconds, broadcasterName, timestamp));
    }
}
