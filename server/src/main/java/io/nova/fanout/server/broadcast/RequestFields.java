package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.databind.JsonNode;
import io.nova.fanout.protocol.WireValue;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Reads typed fields out of a JSON object, recording a precise error for each one that is wrong. */
final class RequestFields {
    private final JsonNode object;
    private final String prefix;
    private final FieldErrors errors;

    RequestFields(JsonNode object, String prefix, FieldErrors errors) {
        this.object = object;
        this.prefix = prefix;
        this.errors = errors;
    }

    /** Flags every key that is neither allowed nor filled in by the server. */
    void rejectUnknown(Set<String> allowed, Set<String> setByServer) {
        Iterator<String> names = object.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (setByServer.contains(name)) {
                errors.add(prefix + name, "set by the server; do not send it");
            } else if (!allowed.contains(name)) {
                errors.add(prefix + name, "unknown field");
            }
        }
    }

    String string(String name, boolean required, int maxChars) {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(prefix + name, "required");
            }
            return null;
        }
        if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > maxChars) {
            errors.add(prefix + name, "expected a string of 1.." + maxChars + " characters");
            return null;
        }
        return node.textValue();
    }

    Integer integer(String name, boolean required, int min, int max) {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            if (required) {
                errors.add(prefix + name, "required");
            }
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
            errors.add(prefix + name, "expected an integer in " + min + ".." + max);
            return null;
        }
        return node.intValue();
    }

    /** An optional ISO-8601 instant such as {@code 2025-10-21T10:40:30.000Z}. */
    Instant instant(String name) {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            return null;
        }
        try {
            if (node.isTextual()) {
                return Instant.parse(node.textValue());
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        errors.add(prefix + name, "expected an ISO-8601 UTC timestamp such as 2025-10-21T10:40:30.000Z");
        return null;
    }

    Boolean bool(String name) {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            errors.add(prefix + name, "required");
            return null;
        }
        if (!node.isBoolean()) {
            errors.add(prefix + name, "expected true or false");
            return null;
        }
        return node.booleanValue();
    }

    <E extends Enum<E> & WireValue> E oneOf(String name, E[] values, Function<String, Optional<E>> fromWire,
            Set<E> excluded) {
        JsonNode node = object.get(name);
        if (node == null || node.isNull()) {
            errors.add(prefix + name, "required");
            return null;
        }
        Optional<E> value = node.isTextual() ? fromWire.apply(node.textValue()) : Optional.empty();
        if (value.isEmpty() || excluded.contains(value.get())) {
            errors.add(prefix + name, "expected one of " + Stream.of(values).filter(v -> !excluded.contains(v))
                    .map(WireValue::wireName).collect(Collectors.joining(", ")));
            return null;
        }
        return value.get();
    }
}
