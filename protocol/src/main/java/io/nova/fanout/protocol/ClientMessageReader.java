package io.nova.fanout.protocol;

import static io.nova.fanout.protocol.ProtocolLimits.MAX_CLIENT_INFO_FIELD_CHARS;
import static io.nova.fanout.protocol.ProtocolLimits.MAX_CLIENT_TIMESTAMP_CHARS;
import static io.nova.fanout.protocol.ProtocolLimits.MAX_ISSUE_DESCRIPTION_CHARS;
import static io.nova.fanout.protocol.ProtocolLimits.MAX_REQUEST_ID_CHARS;
import static io.nova.fanout.protocol.ProtocolLimits.MAX_TOKEN_CHARS;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * Strict reading of what viewers send; every inbound frame goes through here. The envelope is closed
 * (only {@code event} and {@code data}), and so are the value types and ranges of known fields. Unknown
 * keys inside {@code data} are ignored, so a newer client may send more than this server knows without
 * being disconnected.
 */
final class ClientMessageReader {

    private final Map<String, Function<FieldReader, DecodeResult<ClientMessage>>> readersByEvent = Map.of(
            EventNames.PONG, this::readPong,
            EventNames.GET_STREAM_INFO, this::readGetStreamInfo,
            EventNames.REPORT_ISSUE, this::readReportIssue,
            EventNames.REFRESH_TOKEN, this::readRefreshToken);

    DecodeResult<ClientMessage> read(JsonNode root) {
        String problem = Envelope.problemWith(root, readersByEvent.keySet());
        if (problem != null) {
            return Reasons.invalid(problem);
        }
        // Closed envelope: a key we do not know up here is a client speaking another protocol.
        String unknownKey = firstUnknownKey(root);
        if (unknownKey != null) {
            return Reasons.invalid("unknown field " + Reasons.quote(unknownKey));
        }
        FieldReader data = new FieldReader(root.get(Envelope.DATA), Envelope.DATA + ".");
        return readersByEvent.get(root.get(Envelope.EVENT).textValue()).apply(data);
    }

    private static String firstUnknownKey(JsonNode root) {
        for (Map.Entry<String, JsonNode> property : root.properties()) {
            if (!property.getKey().equals(Envelope.EVENT) && !property.getKey().equals(Envelope.DATA)) {
                return property.getKey();
            }
        }
        return null;
    }

    private DecodeResult<ClientMessage> readPong(FieldReader data) {
        Long sequence = data.optionalNonNegativeLong("sequence");
        String timestamp = data.optionalString("timestamp", MAX_CLIENT_TIMESTAMP_CHARS);
        return data.result(OptionalLong.empty(), () -> new Pong(sequence, timestamp));
    }

    private DecodeResult<ClientMessage> readGetStreamInfo(FieldReader data) {
        String requestId = data.requiredString("request_id", 1, MAX_REQUEST_ID_CHARS);
        return data.result(OptionalLong.empty(), () -> new GetStreamInfo(requestId));
    }

    private DecodeResult<ClientMessage> readReportIssue(FieldReader data) {
        IssueType issueType = data.requiredEnum("issue_type", IssueType.WIRE);
        IssueSeverity severity = data.requiredEnum("severity", IssueSeverity.WIRE);
        String description = data.optionalString("description", MAX_ISSUE_DESCRIPTION_CHARS);
        ClientInfo clientInfo = data.optionalObject("client_info", ClientMessageReader::readClientInfo);
        return data.result(OptionalLong.empty(), () -> new ReportIssue(issueType, severity, description, clientInfo));
    }

    private DecodeResult<ClientMessage> readRefreshToken(FieldReader data) {
        // Its reason on failure names the field and the rule, never the text: that is a credential.
        String token = data.requiredString("token", 1, MAX_TOKEN_CHARS);
        return data.result(OptionalLong.empty(), () -> new RefreshToken(token));
    }

    private static ClientInfo readClientInfo(FieldReader info) {
        return new ClientInfo(
                info.optionalString("player", MAX_CLIENT_INFO_FIELD_CHARS),
                info.optionalString("browser", MAX_CLIENT_INFO_FIELD_CHARS),
                info.optionalString("os", MAX_CLIENT_INFO_FIELD_CHARS),
                info.optionalString("network", MAX_CLIENT_INFO_FIELD_CHARS),
                info.optionalNonNegativeInt("bandwidth_estimate_kbps"));
    }
}
