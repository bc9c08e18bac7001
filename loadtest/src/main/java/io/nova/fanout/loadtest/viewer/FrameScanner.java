package io.nova.fanout.loadtest.viewer;

import static java.nio.charset.StandardCharsets.US_ASCII;

import io.nova.fanout.loadtest.time.IsoMillis;
import io.nova.fanout.protocol.ErrorCode;
import java.util.Arrays;

/**
 * Pulls {@code event}, {@code seq}, {@code data.timestamp}, {@code data.sequence}, {@code data.dropped_count}
 * and {@code data.error_code} out of a server frame's UTF-8 bytes in one pass, without building a tree or a
 * String. A viewer receives several hundred thousand frames a second during a fan-out test on a machine it
 * shares with the server, so this is the load generator's hot path.
 *
 * <p>It walks the JSON structure properly (strings with escapes, nested values), so text inside a string,
 * such as an error message quoting {@code "seq":9}, is never mistaken for a field; and it only takes keys at
 * the level they belong to. Keys are compared as raw bytes, which is exact for the server's output: it never
 * escapes plain ASCII key names. Frames are not validated beyond what the walk needs.
 *
 * <p>One instance per event loop: it keeps the cursor of the frame being scanned. Not thread-safe.
 */
public final class FrameScanner {
    /** Deeper nesting than the protocol ever produces; it bounds the walk over a hostile frame. */
    private static final int MAX_DEPTH = 32;

    private static final byte[] EVENT = ascii("event");
    private static final byte[] SEQ = ascii("seq");
    private static final byte[] DATA = ascii("data");
    private static final byte[] TIMESTAMP = ascii("timestamp");
    private static final byte[] SEQUENCE = ascii("sequence");
    private static final byte[] DROPPED_COUNT = ascii("dropped_count");
    private static final byte[] ERROR_CODE = ascii("error_code");
    private static final byte[] MESSAGES_DROPPED = ascii(ErrorCode.MESSAGES_DROPPED.name());

    private byte[] bytes;
    private int end;
    private int pos;
    private ScannedFrame out;

    /**
     * Scans the JSON object in {@code bytes[from, to)} into {@code frame}.
     *
     * @return whether the bytes were one well-formed enough JSON object; when not, {@code frame} may hold
     *         whatever was found before the problem
     */
    public boolean scan(byte[] bytes, int from, int to, ScannedFrame frame) {
        this.bytes = bytes;
        this.end = to;
        this.pos = from;
        this.out = frame;
        frame.reset();
        try {
            skipWhitespace();
            if (!object(true)) {
                return false;
            }
            skipWhitespace();
            return pos == end;
        } finally {
            this.bytes = null; // Do not pin a large frame's array until the next one.
            this.out = null;
        }
    }

    /** An object starting at {@code pos}; the envelope when {@code top}, else {@code data}. */
    private boolean object(boolean top) {
        if (!consume('{')) {
            return false;
        }
        skipWhitespace();
        if (consume('}')) {
            return true;
        }
        // Every pass consumes at least a key, so the loop ends within the frame's length.
        while (pos < end) {
            if (peek() != '"') {
                return false;
            }
            int keyStart = pos + 1;
            int keyEnd = stringEnd(keyStart);
            if (keyEnd < 0) {
                return false;
            }
            pos = keyEnd + 1;
            skipWhitespace();
            if (!consume(':')) {
                return false;
            }
            skipWhitespace();
            if (!(top ? envelopeValue(keyStart, keyEnd) : dataValue(keyStart, keyEnd))) {
                return false;
            }
            skipWhitespace();
            if (consume('}')) {
                return true;
            }
            if (!consume(',')) {
                return false;
            }
            skipWhitespace();
        }
        return false;
    }

    private boolean envelopeValue(int keyStart, int keyEnd) {
        if (is(EVENT, keyStart, keyEnd) && peek() == '"') {
            int valueStart = pos + 1;
            int valueEnd = stringEnd(valueStart);
            if (valueEnd < 0) {
                return false;
            }
            out.event(ServerEvent.of(bytes, valueStart, valueEnd));
            pos = valueEnd + 1;
            return true;
        }
        if (is(SEQ, keyStart, keyEnd)) {
            out.seq(integer());
            return skipRestOfNumber();
        }
        if (is(DATA, keyStart, keyEnd) && peek() == '{') {
            return object(false);
        }
        return skipValue();
    }

    private boolean dataValue(int keyStart, int keyEnd) {
        if (is(TIMESTAMP, keyStart, keyEnd) && peek() == '"') {
            int valueStart = pos + 1;
            int valueEnd = stringEnd(valueStart);
            if (valueEnd < 0) {
                return false;
            }
            long millis = IsoMillis.parse(bytes, valueStart, valueEnd);
            out.timestampMillis(millis == IsoMillis.INVALID ? ScannedFrame.ABSENT : millis);
            pos = valueEnd + 1;
            return true;
        }
        if (is(ERROR_CODE, keyStart, keyEnd) && peek() == '"') {
            int valueStart = pos + 1;
            int valueEnd = stringEnd(valueStart);
            if (valueEnd < 0) {
                return false;
            }
            out.messagesDropped(is(MESSAGES_DROPPED, valueStart, valueEnd));
            pos = valueEnd + 1;
            return true;
        }
        if (is(SEQUENCE, keyStart, keyEnd)) {
            out.pingSequence(integer());
            return skipRestOfNumber();
        }
        if (is(DROPPED_COUNT, keyStart, keyEnd)) {
            out.droppedCount(integer());
            return skipRestOfNumber();
        }
        return skipValue();
    }

    /**
     * A non-negative integer at {@code pos}, consumed; {@link ScannedFrame#ABSENT} (consuming nothing) for
     * anything else, including integers too long for a long.
     */
    private long integer() {
        long value = 0;
        int start = pos;
        int i = pos;
        while (i < end && i - start < 18) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                break;
            }
            value = value * 10 + digit;
            i++;
        }
        if (i == start || (i < end && isNumberPart(bytes[i]))) {
            return ScannedFrame.ABSENT; // Not a plain integer; skipRestOfNumber steps over it.
        }
        pos = i;
        return value;
    }

    /** Steps over what {@link #integer} left of a value: nothing, or a value that was not a plain integer. */
    private boolean skipRestOfNumber() {
        return pos < end && (isValueEnd(bytes[pos]) || skipValue());
    }

    private boolean skipValue() {
        if (pos >= end) {
            return false;
        }
        byte first = bytes[pos];
        if (first == '"') {
            int stringEnd = stringEnd(pos + 1);
            pos = stringEnd + 1;
            return stringEnd >= 0;
        }
        if (first == '{' || first == '[') {
            return skipNested();
        }
        // A number or a literal: everything up to the next delimiter.
        int start = pos;
        while (pos < end && !isValueEnd(bytes[pos])) {
            pos++;
        }
        return pos > start;
    }

    /** Steps over an object or array, strings in it included, up to its matching bracket. */
    private boolean skipNested() {
        int depth = 0;
        while (pos < end) {
            byte b = bytes[pos];
            if (b == '"') {
                int stringEnd = stringEnd(pos + 1);
                if (stringEnd < 0) {
                    return false;
                }
                pos = stringEnd + 1;
                continue;
            }
            pos++;
            if (b == '{' || b == '[') {
                if (++depth > MAX_DEPTH) {
                    return false;
                }
            } else if (b == '}' || b == ']') {
                if (--depth == 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The index of the quote closing the string whose content starts at {@code from}, or -1. */
    private int stringEnd(int from) {
        for (int i = from; i < end; i++) {
            byte b = bytes[i];
            if (b == '"') {
                return i;
            }
            if (b == '\\') {
                i++; // The escaped character, a quote included, is content; \\uXXXX needs nothing more.
            }
        }
        return -1;
    }

    private boolean is(byte[] name, int from, int to) {
        return to - from == name.length && Arrays.equals(bytes, from, to, name, 0, name.length);
    }

    private byte peek() {
        return pos < end ? bytes[pos] : 0;
    }

    private boolean consume(char expected) {
        if (pos < end && bytes[pos] == expected) {
            pos++;
            return true;
        }
        return false;
    }

    private void skipWhitespace() {
        while (pos < end) {
            byte b = bytes[pos];
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return;
            }
            pos++;
        }
    }

    private static boolean isValueEnd(byte b) {
        return b == ',' || b == '}' || b == ']' || b == ' ' || b == '\n' || b == '\r' || b == '\t';
    }

    private static boolean isNumberPart(byte b) {
        return b == '.' || b == 'e' || b == 'E' || b == '-' || b == '+' || (b >= '0' && b <= '9');
    }

    private static byte[] ascii(String text) {
        return text.getBytes(US_ASCII);
    }
}
