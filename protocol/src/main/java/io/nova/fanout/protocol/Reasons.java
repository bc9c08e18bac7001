package io.nova.fanout.protocol;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;

/**
 * Makes the reasons of {@link DecodeResult.Invalid}. The server sends a reason back as the close reason
 * and logs it, and a reason may quote what the client sent, so every reason is cut to printable ASCII of
 * at most {@value #MAX_REASON_CHARS} characters: within {@link ProtocolLimits#MAX_CLOSE_REASON_BYTES}
 * and unable to forge log lines.
 */
final class Reasons {

    static final int MAX_REASON_CHARS = 120;

    // Enough to recognise a misspelt event or key; the rest of a long one adds nothing.
    private static final int MAX_QUOTED_CHARS = 32;
    private static final String ELLIPSIS = "...";

    private Reasons() {
    }

    static <T> DecodeResult<T> invalid(String reason) {
        return new DecodeResult.Invalid<>(bounded(reason));
    }

    /** Quotes text that came from the client, shortened. */
    static String quote(String clientText) {
        return clientText.length() <= MAX_QUOTED_CHARS
                ? '"' + clientText + '"'
                : '"' + clientText.substring(0, MAX_QUOTED_CHARS) + ELLIPSIS + '"';
    }

    /**
     * Turns a parser failure into {@code invalid JSON: <what> at <line>:<column>}. Jackson phrases its
     * messages as "what: long explanation", and only the "what" fits in a close reason.
     */
    static String describe(IOException failure) {
        if (!(failure instanceof JsonProcessingException)) {
            return "invalid JSON: " + firstClause(failure.getMessage());
        }
        JsonProcessingException jsonFailure = (JsonProcessingException) failure;
        String what = firstClause(jsonFailure.getOriginalMessage());
        JsonLocation where = jsonFailure.getLocation();
        return where == null
                ? "invalid JSON: " + what
                : "invalid JSON: " + what + " at " + where.getLineNr() + ":" + where.getColumnNr();
    }

    private static String firstClause(String message) {
        if (message == null || message.isEmpty()) {
            return "unreadable input";
        }
        int end = message.indexOf('\n');
        String clause = end < 0 ? message : message.substring(0, end);
        int explanation = clause.indexOf(": ");
        if (explanation > 0) {
            clause = clause.substring(0, explanation);
        }
        // Constraint violations end in "(32, from `StreamReadConstraints.getMaxNestingDepth()`)".
        int source = clause.indexOf(", from `");
        return source > 0 ? clause.substring(0, source) + ")" : clause;
    }

    private static String bounded(String reason) {
        StringBuilder out = new StringBuilder(Math.min(reason.length(), MAX_REASON_CHARS));
        for (int i = 0; i < reason.length(); i++) {
            if (out.length() == MAX_REASON_CHARS) {
                out.setLength(MAX_REASON_CHARS - ELLIPSIS.length());
                return out.append(ELLIPSIS).toString();
            }
            char c = reason.charAt(i);
            out.append(c >= ' ' && c <= '~' ? c : '?');
        }
        return out.toString();
    }
}
