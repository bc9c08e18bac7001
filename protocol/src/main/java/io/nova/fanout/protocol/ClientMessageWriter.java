package io.nova.fanout.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** Writes viewer messages, for Java clients and the load tester. Absent optional fields are left out. */
final class ClientMessageWriter {

    void write(JsonGenerator json, ClientMessage message) throws IOException {
        json.writeStartObject();
        json.writeStringField(Envelope.EVENT, message.eventName());
        json.writeObjectFieldStart(Envelope.DATA);
        writeData(json, message);
        json.writeEndObject();
        json.writeEndObject();
    }

    private void writeData(JsonGenerator json, ClientMessage message) throws IOException {
        // An instanceof chain because switch patterns need Java 21; the sealed interface bounds the cases.
        if (message instanceof Pong m) {
            OptionalFields.write(json, "sequence", m.sequence());
            OptionalFields.write(json, "timestamp", m.timestamp());
        } else if (message instanceof GetStreamInfo m) {
            json.writeStringField("request_id", m.requestId());
        } else if (message instanceof RefreshToken m) {
            json.writeStringField("token", m.token());
        } else if (message instanceof ReportIssue m) {
            json.writeStringField("issue_type", m.issueType().wireName());
            json.writeStringField("severity", m.severity().wireName());
            OptionalFields.write(json, "description", m.description());
            if (m.clientInfo() != null) {
                json.writeObjectFieldStart("client_info");
                writeClientInfo(json, m.clientInfo());
                json.writeEndObject();
            }
        } else {
            throw new AssertionError("unhandled client message: " + message.getClass().getName());
        }
    }

    private static void writeClientInfo(JsonGenerator json, ClientInfo info) throws IOException {
        OptionalFields.write(json, "player", info.player());
        OptionalFields.write(json, "browser", info.browser());
        OptionalFields.write(json, "os", info.os());
        OptionalFields.write(json, "network", info.network());
        OptionalFields.write(json, "bandwidth_estimate_kbps", info.bandwidthEstimateKbps());
    }
}
