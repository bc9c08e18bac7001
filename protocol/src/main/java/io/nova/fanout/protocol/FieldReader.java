package io.nova.fanout.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Reads typed fields of one JSON object and keeps the first failure, so a decoder reads a message
 * straight down without a check after every field. Once a read has failed, later reads return a
 * neutral value ({@code null}, 0, {@code false}) and {@link #result} never builds the message from them.
 *
 * <p>A JSON {@code null} counts as an absent field. Keys nobody asks for are ignored.
 */
final class FieldReader {

    private final JsonNode object;
    private final String path;
    private String failure;

    /** @param path prefix of field names in reasons, e.g. {@code "data."} */
    FieldReader(JsonNode object, String path) {
        this.object = object;
        this.path = path;
    }

    String requiredString(String name) {
        JsonNode node = required(name);
        if (node == null) {
            return null;
        }
        return node.isTextual() ? node.textValue() : fail(name, "expected a string");
    }

    String requiredString(String name, int minChars, int maxChars) {
        JsonNode node = required(name);
        if (node == null) {
            return null;
        }
        if (!node.isTextual() || node.textValue().length() < minChars || node.textValue().length() > maxChars) {
            return fail(name, "expected a string of " + minChars + ".." + maxChars + " characters");
        }
        return node.textValue();
    }

    String optionalString(String name) {
        return optionalString(name, Integer.MAX_VALUE);
    }

    String optionalString(String name, int maxChars) {
        JsonNode node = optional(name);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            return fail(name, "expected a string");
        }
        if (node.textValue().length() > maxChars) {
            return fail(name, "longer than " + maxChars + " characters");
        }
        return node.textValue();
    }

    int requiredInt(String name) {
        JsonNode node = required(name);
        if (node == null) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            fail(name, "expected a 32-bit integer");
            return 0;
        }
        return node.intValue();
    }

    long requiredLong(String name) {
        JsonNode node = required(name);
        if (node == null) {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
            fail(name, "expected a 64-bit integer");
            return 0;
        }
        return node.longValue();
    }

    Long optionalNonNegativeLong(String name) {
        JsonNode node = optional(name);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            return fail(name, "expected a non-negative integer");
        }
        return node.longValue();
    }

    Integer optionalNonNegativeInt(String name) {
        JsonNode node = optional(name);
        if (node == null) {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 0) {
            return fail(name, "expected a non-negative 32-bit integer");
        }
        return node.intValue();
    }

    boolean requiredBoolean(String name) {
        JsonNode node = required(name);
        if (node == null) {
            return false;
        }
        if (!node.isBoolean()) {
            fail(name, "expected a boolean");
            return false;
        }
        return node.booleanValue();
    }

    <E extends Enum<E> & WireValue> E requiredEnum(String name, WireLookup<E> constants) {
        JsonNode node = required(name);
        if (node == null) {
            return null;
        }
        Optional<E> constant = constants.find(node.textValue()); // textValue() is null unless a string
        return constant.isPresent() ? constant.get() : fail(name, "expected one of " + constants.choices());
    }

    Instant requiredInstant(String name) {
        String text = requiredString(name);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return fail(name, "expected an ISO-8601 UTC timestamp");
        }
    }

    /** Reads a nested object with {@code reader}; a failure inside it becomes this reader's failure. */
    <T> T optionalObject(String name, Function<FieldReader, T> reader) {
        JsonNode node = optional(name);
        if (node == null) {
            return null;
        }
        if (!node.isObject()) {
            return fail(name, "expected an object");
        }
        FieldReader nested = new FieldReader(node, path + name + ".");
        T value = reader.apply(nested);
        if (nested.failure != null) {
            failure = nested.failure;
            return null;
        }
        return value;
    }

    /** The message built by {@code constructor}, or the first failure; the constructor runs only on success. */
    <T> DecodeResult<T> result(OptionalLong seq, Supplier<? extends T> constructor) {
        return failure != null ? Reasons.invalid(failure) : new DecodeResult.Decoded<>(constructor.get(), seq);
    }

    private JsonNode required(String name) {
        JsonNode node = optional(name);
        if (node == null && failure == null) {
            fail(name, "required");
        }
        return node;
    }

    private JsonNode optional(String name) {
        if (failure != null) {
            return null;
        }
        JsonNode node = object.get(name);
        return node == null || node.isNull() ? null : node;
    }

    private <T> T fail(String name, String problem) {
        failure = path + name + ": " + problem;
        return null;
    }
}
