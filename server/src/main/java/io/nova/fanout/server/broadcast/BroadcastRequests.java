package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.EventNames;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamMetadata;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns broadcaster request bodies into stream changes, collecting every field error on the way. */
final class BroadcastRequests {
    static final int MAX_NAME_CHARS = 128;
    static final int MAX_TITLE_CHARS = 256;
    static final int MAX_DESCRIPTION_CHARS = 4_096;
    static final int MAX_FPS = 240;
    static final int MAX_BITRATE_KBPS = 1_000_000;
    /** Free text in error events is bounded only by the frame limit, which the sequencer enforces (413). */
    static final int MAX_FREE_TEXT_CHARS = Integer.MAX_VALUE;
    private static final Pattern QUALITY = Pattern.compile("[0-9]{3,4}p|[248]k|auto");
    private static final String QUALITY_EXPECTED = "expected a quality like 720p, 1080p, 4k or auto";

    private static final Set<String> METADATA_FIELDS = Set.of("broadcaster_id", "broadcaster_name", "title",
            "description", "quality", "fps", "bitrate_kbps");
    private static final Set<String> QUALITY_FIELDS = Set.of("new_quality", "new_bitrate_kbps", "fps", "reason");
    private static final Set<String> QUALITY_SERVER_FIELDS = Set.of("stream_id", "timestamp", "previous_quality",
            "previous_bitrate_kbps");
    /** The seed calls a bitrate_update's timestamp its measurement time, which only the broadcaster knows. */
    private static final Set<String> BITRATE_FIELDS = Set.of("current_bitrate_kbps", "timestamp");
    private static final Set<String> BITRATE_SERVER_FIELDS = Set.of("stream_id", "quality", "health");
    private static final Set<String> ERROR_FIELDS = Set.of("error_code", "error_message", "severity", "recoverable",
            "suggested_action");
    private static final Set<String> ERROR_SERVER_FIELDS = Set.of("timestamp", "dropped_count");
    private static final Set<String> END_FIELDS = Set.of("reason");

    private BroadcastRequests() {
    }

    static StreamMetadata metadata(JsonNode body, FieldErrors errors) {
        if (!isObject(body, "", errors)) {
            return null;
        }
        RequestFields fields = new RequestFields(body, "", errors);
        fields.rejectUnknown(METADATA_FIELDS, Set.of());
        String broadcasterId = fields.string("broadcaster_id", true, MAX_NAME_CHARS);
        String broadcasterName = fields.string("broadcaster_name", false, MAX_NAME_CHARS);
        String title = fields.string("title", true, MAX_TITLE_CHARS);
        String description = fields.string("description", false, MAX_DESCRIPTION_CHARS);
        String quality = quality(fields, "quality", errors, "");
        Integer fps = fields.integer("fps", true, 1, MAX_FPS);
        Integer bitrate = fields.integer("bitrate_kbps", true, 1, MAX_BITRATE_KBPS);
        if (!errors.isEmpty()) {
            return null;
        }
        return new StreamMetadata(broadcasterId, broadcasterName != null ? broadcasterName : broadcasterId, title,
                description != null ? description : "", quality, fps, bitrate);
    }

    /** One {@code {"event": ..., "data": {...}}} object; {@code extraFields} are allowed beside the two. */
    static StreamChange event(JsonNode node, String prefix, Set<String> extraFields, FieldErrors errors) {
        if (!isObject(node, prefix, errors)) {
            return null;
        }
        RequestFields envelope = new RequestFields(node, prefix, errors);
        java.util.HashSet<String> allowed = new java.util.HashSet<>(extraFields);
        allowed.add("event");
        allowed.add("data");
        envelope.rejectUnknown(allowed, Set.of());
        String event = envelope.string("event", true, 64);
        JsonNode data = node.get("data");
        if (event == null) {
            return null;
        }
        if (data == null || !data.isObject()) {
            errors.add(prefix + "data", data == null ? "required" : "expected an object");
            return null;
        }
        String dataPrefix = prefix + "data.";
        RequestFields fields = new RequestFields(data, dataPrefix, errors);
        int before = errors.list().size();
        StreamChange change;
        switch (event) {
            case EventNames.QUALITY_CHANGED -> {
                fields.rejectUnknown(QUALITY_FIELDS, QUALITY_SERVER_FIELDS);
                String quality = quality(fields, "new_quality", errors, dataPrefix);
                Integer bitrate = fields.integer("new_bitrate_kbps", true, 1, MAX_BITRATE_KBPS);
                Integer fps = fields.integer("fps", false, 1, MAX_FPS);
                QualityChangeReason reason = fields.oneOf("reason", QualityChangeReason.values(),
                        QualityChangeReason::fromWire, Set.of());
                change = errors.list().size() > before ? null : new StreamChange.ChangeQuality(quality, bitrate, fps, reason);
            }
            case EventNames.BITRATE_UPDATE -> {
                fields.rejectUnknown(BITRATE_FIELDS, BITRATE_SERVER_FIELDS);
                Integer current = fields.integer("current_bitrate_kbps", true, 0, MAX_BITRATE_KBPS);
                Instant measuredAt = fields.instant("timestamp");
                change = errors.list().size() > before ? null : new StreamChange.ReportBitrate(current, measuredAt);
            }
            case EventNames.ERROR -> {
                fields.rejectUnknown(ERROR_FIELDS, ERROR_SERVER_FIELDS);
                ErrorCode code = fields.oneOf("error_code", ErrorCode.values(), ErrorCode::fromWire,
                        EnumSet.of(ErrorCode.MESSAGES_DROPPED, ErrorCode.SERVER_SHUTDOWN, ErrorCode.TOKEN_EXPIRED,
                                ErrorCode.INVALID_TOKEN));
                String message = fields.string("error_message", true, MAX_FREE_TEXT_CHARS);
                Severity severity = fields.oneOf("severity", Severity.values(), Severity::fromWire, Set.of());
                Boolean recoverable = fields.bool("recoverable");
                String action = fields.string("suggested_action", false, MAX_FREE_TEXT_CHARS);
                change = errors.list().size() > before ? null
                        : new StreamChange.RaiseError(code, message, severity, recoverable, action);
            }
            default -> {
                errors.add(prefix + "event", "expected one of quality_changed, bitrate_update, error");
                change = null;
            }
        }
        return change;
    }

    static EndReason endReason(JsonNode body, FieldErrors errors) {
        if (!isObject(body, "", errors)) {
            return null;
        }
        RequestFields fields = new RequestFields(body, "", errors);
        fields.rejectUnknown(END_FIELDS, Set.of());
        return fields.oneOf("reason", EndReason.values(), EndReason::fromWire, Set.of());
    }

    private static String quality(RequestFields fields, String name, FieldErrors errors, String prefix) {
        String quality = fields.string(name, true, 16);
        if (quality != null && !QUALITY.matcher(quality).matches()) {
            errors.add(prefix + name, QUALITY_EXPECTED);
            return null;
        }
        return quality;
    }

    private static boolean isObject(JsonNode node, String prefix, FieldErrors errors) {
        if (node == null || !node.isObject()) {
            errors.add(prefix.isEmpty() ? "body" : prefix.substring(0, prefix.length() - 1), "expected a JSON object");
            return false;
        }
        return true;
    }
}
