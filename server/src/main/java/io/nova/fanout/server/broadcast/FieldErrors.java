package io.nova.fanout.server.broadcast;

import java.util.ArrayList;
import java.util.List;

/** Field-level problems found in a broadcaster's request body, reported all at once rather than one by one. */
final class FieldErrors {
    record FieldError(String field, String message) {
        @Override
        public String toString() {
            return field.isEmpty() ? message : field + ": " + message;
        }
    }

    private final List<FieldError> errors = new ArrayList<>();

    void add(String field, String message) {
        errors.add(new FieldError(field, message));
    }

    boolean isEmpty() {
        return errors.isEmpty();
    }

    List<FieldError> list() {
        return errors;
    }

    /** One line, for the ingest socket's {@code "error"} string. */
    String summary() {
        StringBuilder sb = new StringBuilder();
        for (FieldError error : errors) {
            if (sb.length() > 0) {
                sb.append("; ");
            }
            sb.append(error);
        }
        return sb.toString();
    }
}
