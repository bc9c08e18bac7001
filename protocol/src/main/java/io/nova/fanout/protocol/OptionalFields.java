package io.nova.fanout.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/** Writes nullable record components: absent values are left out rather than written as {@code null}. */
final class OptionalFields {

    private OptionalFields() {
    }

    static void write(JsonGenerator json, String name, String value) throws IOException {
        if (value != null) {
            json.writeStringField(name, value);
        }
    }

    static void write(JsonGenerator json, String name, Long value) throws IOException {
        if (value != null) {
            json.writeNumberField(name, value.longValue());
        }
    }

    static void write(JsonGenerator json, String name, Integer value) throws IOException {
        if (value != null) {
            json.writeNumberField(name, value.intValue());
        }
    }
}
