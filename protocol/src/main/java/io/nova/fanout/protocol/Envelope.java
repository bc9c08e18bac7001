package io.nova.fanout.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Set;

/** The top-level shape every frame shares: {@code {"event": ..., "seq": ..., "data": {...}}}. */
final class Envelope {

    // In the order the writers emit them.
    static final String EVENT = "event";
    static final String SEQ = "seq";
    static final String DATA = "data";

    private Envelope() {
    }

    /**
     * What is wrong with the parts every frame must have, or {@code null} if nothing is: after that
     * {@code root} is an object with a known string {@code event} and an object {@code data}.
     */
    static String problemWith(JsonNode root, Set<String> knownEvents) {
        if (root.isMissingNode()) {
            return "empty message";
        }
        if (!root.isObject()) {
            return "expected a JSON object";
        }
        JsonNode event = root.get(EVENT);
        if (event == null) {
            return "missing \"event\"";
        }
        if (!event.isTextual()) {
            return "event: expected a string";
        }
        if (!knownEvents.contains(event.textValue())) {
            return "unknown event " + Reasons.quote(event.textValue());
        }
        JsonNode data = root.get(DATA);
        if (data == null) {
            return "missing \"data\"";
        }
        return data.isObject() ? null : "data: expected an object";
    }
}
