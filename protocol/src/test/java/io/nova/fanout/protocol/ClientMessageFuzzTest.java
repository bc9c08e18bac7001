package io.nova.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.OptionalLong;

/**
 * {@link ProtocolCodec#decodeClientMessage} is applied to every frame a viewer sends, so it must give an
 * answer for any input: a message the writer reproduces, or a reason fit for a close frame. The plain build
 * runs these on the committed inputs under {@code ClientMessageFuzzTestInputs/}; see docs/fuzzing.md for
 * fuzzing them.
 */
class ClientMessageFuzzTest {

    private final ProtocolCodec codec = new ProtocolCodec();

    /** Any bytes at all, seeded with every client message of docs/protocol.md and known-tricky frames. */
    @FuzzTest(maxDuration = "5m")
    @DictionaryEntries({"\"event\"", "\"data\"", "\"seq\"", "\"pong\"", "\"get_stream_info\"", "\"report_issue\"",
            "\"sequence\"", "\"timestamp\"", "\"request_id\"", "\"issue_type\"", "\"severity\"", "\"description\"",
            "\"client_info\"", "\"player\"", "\"browser\"", "\"os\"", "\"network\"", "\"bandwidth_estimate_kbps\"",
            "\"buffering\"", "\"lag\"", "\"quality\"", "\"playback_error\"", "\"other\"", "\"low\"", "\"medium\"",
            "\"high\"", "null", "true", "false", "9223372036854775807", "9223372036854775808", "2147483648",
            "-0", "1e309", "\\u0000", "\\ud800", "\\udc00"})
    void anyFrameDecodesToAMessageOrAReason(byte[] frame) {
        checkDecoding(frame);
    }

    /**
     * JSON text assembled from the protocol's own words, so that most inputs reach the field checks and
     * many are valid messages whose round trip gets checked, with the hostile shapes mixed in: duplicate
     * and unknown keys, deep nesting, numbers of any size, escapes and lone surrogates.
     */
    @FuzzTest(maxDuration = "5m")
    void messageShapedTextDecodesToAMessageOrAReason(FuzzedDataProvider data) {
        StringBuilder json = new StringBuilder();
        new ShapedJson(data, json).envelope();
        checkDecoding(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private void checkDecoding(byte[] frame) {
        DecodeResult<ClientMessage> result = codec.decodeClientMessage(frame);

        assertThat(result).isNotNull();
        // The range overload is what the server calls on a frame's bytes inside a larger buffer.
        byte[] padded = new byte[frame.length + 6];
        Arrays.fill(padded, (byte) '{');
        System.arraycopy(frame, 0, padded, 3, frame.length);
        assertThat(codec.decodeClientMessage(padded, 3, frame.length)).isEqualTo(result);

        if (result instanceof DecodeResult.Invalid<ClientMessage> invalid) {
            assertThat(invalid.reason()).as("reason for %s", show(frame))
                    .isNotEmpty().hasSizeLessThanOrEqualTo(Reasons.MAX_REASON_CHARS).matches("[ -~]+");
            return;
        }
        DecodeResult.Decoded<ClientMessage> decoded = (DecodeResult.Decoded<ClientMessage>) result;
        assertThat(decoded.seq()).as("client frames carry no seq").isEqualTo(OptionalLong.empty());
        assertThat(isStrictUtf8(frame)).as("accepted %s, which is not UTF-8", show(frame)).isTrue();
        assertWithinLimits(decoded.message());

        byte[] reencoded = codec.encode(decoded.message());
        assertThat(codec.decodeClientMessage(reencoded)).as("round trip of %s", show(frame)).isEqualTo(result);
        assertThat(codec.encode(decoded.message())).as("encoding is deterministic").isEqualTo(reencoded);
    }

    /** What the reader promises about an accepted message, checked on the message rather than on the JSON. */
    private static void assertWithinLimits(ClientMessage message) {
        if (message instanceof Pong pong) {
            if (pong.sequence() != null) {
                assertThat(pong.sequence()).isNotNegative();
            }
            assertThat(length(pong.timestamp())).isLessThanOrEqualTo(ProtocolLimits.MAX_CLIENT_TIMESTAMP_CHARS);
        } else if (message instanceof GetStreamInfo info) {
            assertThat(info.requestId()).hasSizeBetween(1, ProtocolLimits.MAX_REQUEST_ID_CHARS);
        } else {
            ReportIssue issue = (ReportIssue) message;
            assertThat(length(issue.description())).isLessThanOrEqualTo(ProtocolLimits.MAX_ISSUE_DESCRIPTION_CHARS);
            ClientInfo info = issue.clientInfo();
            if (info != null) {
                for (String field : new String[] {info.player(), info.browser(), info.os(), info.network()}) {
                    assertThat(length(field)).isLessThanOrEqualTo(ProtocolLimits.MAX_CLIENT_INFO_FIELD_CHARS);
                }
                if (info.bandwidthEstimateKbps() != null) {
                    assertThat(info.bandwidthEstimateKbps()).isNotNegative();
                }
            }
        }
    }

    private static int length(String optional) {
        return optional == null ? 0 : optional.length();
    }

    /** The JDK's decoder refuses overlong forms, encoded surrogates and code points past U+10FFFF. */
    private static boolean isStrictUtf8(byte[] bytes) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static String show(byte[] frame) {
        String text = new String(frame, StandardCharsets.UTF_8);
        return text.length() > 200 ? text.substring(0, 200) + "..." : text;
    }

    /** Writes one JSON value after another, each choice taken from the fuzzer's data. */
    private static final class ShapedJson {
        private static final String[] EVENTS = {"pong", "get_stream_info", "report_issue", "ping", "PONG", ""};
        private static final String[] KEYS = {"sequence", "timestamp", "request_id", "issue_type", "severity",
            "description", "client_info", "player", "browser", "os", "network", "bandwidth_estimate_kbps",
            "event", "data", "seq", "x"};
        private static final String[] WORDS = {"buffering", "lag", "quality", "playback_error", "other", "low",
            "medium", "high", "req-12345", "2026-11-22T04:36:25.640Z", "", "\\u0000", "\\ud800", "\\udc00x",
            "\\ud83d\\ude00", "\\\"", "\\n", "\u00e9\u4e16\ud83d\ude00"};
        private static final String[] NUMBERS = {"0", "-0", "1", "-1", "42", "42.0", "1e3", "1E-7", "2147483647",
            "2147483648", "4294967296", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
            "1e309", "-1e309", "0.0000000000000000000001", "123456789012345678901234567890"};
        private static final int MAX_DEPTH = 40;

        private final FuzzedDataProvider data;
        private final StringBuilder out;

        ShapedJson(FuzzedDataProvider data, StringBuilder out) {
            this.data = data;
            this.out = out;
        }

        void envelope() {
            out.append('{');
            int fields = data.consumeInt(0, 4);
            for (int i = 0; i < fields; i++) {
                if (i > 0) {
                    out.append(',');
                }
                switch (data.consumeInt(0, 3)) {
                    case 0 -> member("event", () -> escaped(data.pickValue(EVENTS)));
                    case 1 -> member("data", () -> object(1));
                    case 2 -> member("seq", () -> number());
                    default -> member(data.pickValue(KEYS), () -> value(1));
                }
            }
            out.append('}');
            // Whatever is left is appended raw: trailing content, a second message, broken syntax.
            out.append(data.consumeRemainingAsString());
        }

        private void object(int depth) {
            out.append('{');
            int fields = data.consumeInt(0, 6);
            for (int i = 0; i < fields; i++) {
                if (i > 0) {
                    out.append(',');
                }
                member(data.pickValue(KEYS), () -> value(depth + 1));
            }
            out.append('}');
        }

        private void member(String key, Runnable value) {
            escaped(key);
            out.append(':');
            value.run();
        }

        private void value(int depth) {
            switch (data.consumeInt(0, 8)) {
                case 0 -> escaped(data.pickValue(WORDS));
                case 1 -> quoted(data.consumeString(300));
                case 2 -> number();
                case 3 -> out.append(data.pickValue(new String[] {"null", "true", "false"}));
                case 4 -> out.append(data.consumeLong());
                case 5 -> nested(depth);
                case 6 -> escaped(data.pickValue(WORDS).repeat(data.consumeInt(1, 300)));
                case 7 -> out.append(data.consumeDouble());
                default -> {
                    if (depth < MAX_DEPTH) {
                        object(depth);
                    } else {
                        out.append("{}");
                    }
                }
            }
        }

        private void nested(int depth) {
            int levels = data.consumeInt(1, MAX_DEPTH);
            out.append("[".repeat(levels)).append("]".repeat(levels));
        }

        private void number() {
            out.append(data.pickValue(NUMBERS));
        }

        /** A string literal of text that is already JSON-escaped (the constants above). */
        private void escaped(String text) {
            out.append('"').append(text).append('"');
        }

        /** A string literal of any text, escaped as JSON requires. */
        private void quoted(String text) {
            out.append('"');
            for (int i = 0; i < text.length(); i++) {
                char c = text.charAt(i);
                if (c == '"' || c == '\\') {
                    out.append('\\').append(c);
                } else if (c < 0x20) {
                    out.append(String.format("\\u%04x", (int) c));
                } else {
                    out.append(c);
                }
            }
            out.append('"');
        }
    }
}
