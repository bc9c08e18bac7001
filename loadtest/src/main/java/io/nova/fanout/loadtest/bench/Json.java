package io.nova.fanout.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;

/** Null-tolerant reads from the input JSON: a missing or non-numeric figure is {@code null}, not 0. */
final class Json {
    private Json() {
    }

    static JsonNode at(JsonNode node, String... path) {
        JsonNode current = node;
        for (String key : path) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(key);
        }
        return current == null || current.isNull() || current.isMissingNode() ? null : current;
    }

    static Double num(JsonNode node, String... path) {
        JsonNode value = at(node, path);
        if (value == null) {
            return null;
        }
        if (value.isNumber()) {
            double d = value.doubleValue();
            return Double.isFinite(d) ? d : null;
        }
        return null;
    }

    static String text(JsonNode node, String... path) {
        JsonNode value = at(node, path);
        if (value == null || value.isContainerNode()) {
            return null;
        }
        String text = value.asText();
        return text.isBlank() ? null : text;
    }
}
