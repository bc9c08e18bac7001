package io.nova.fanout.protocol;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Named.named;

import java.io.ByteArrayOutputStream;
import java.util.OptionalLong;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Everything a viewer can get wrong, and the exact reason the server will close the connection with. */
class MalformedClientMessageTest {

    private final ProtocolCodec codec = new ProtocolCodec();

    static Stream<Arguments> malformedFrames() {
        String deep = "[".repeat(40) + "]".repeat(40);
        String validPong = pong("");
        return Stream.of(
                // Not JSON, or not one JSON object.
                row("", "empty message"),
                row(" \r\n\t", "empty message"),
                row("{\"event\":\"pong\",\"data\":{}", "invalid JSON: Unexpected end-of-input at 1:26"),
                row("{\"event\" \"pong\"}", "invalid JSON: Unexpected character ('\"' (code 34)) at 1:10"),
                row("{'event':'pong','data':{}}", "invalid JSON: Unexpected character (''' (code 39)) at 1:2"),
                row("{\"event\":\"pong\",\"data\":{},}", "invalid JSON: Unexpected character ('}' (code 125)) at 1:27"),
                row(validPong + "x", "invalid JSON: Unrecognized token 'x' at 1:28"),
                row(validPong + "{}", "invalid JSON: trailing content after the JSON value at 1:28"),
                row("{\"event\":\"pong\",\"event\":\"pong\",\"data\":{}}",
                        "invalid JSON: Duplicate field 'event' at 1:24"),
                row(pong("\"sequence\":1,\"sequence\":2"), "invalid JSON: Duplicate field 'sequence' at 1:48"),
                row(pong("\"x\":" + deep),
                        "invalid JSON: Document nesting depth (33) exceeds the maximum allowed (32)"),
                row(pong("\"sequence\":0x2A"), "invalid JSON: Unexpected character ('x' (code 120)) at 1:37"),
                row(pong("\"sequence\":NaN"), "invalid JSON: Non-standard token 'NaN' at 1:39"),
                row(bytes("{\"event\":\"pong\",\"data\":{\"timestamp\":\"", 0xFF, "\"}}"),
                        "invalid JSON: not UTF-8"),
                row(bytes("{\"event\":\"pong\",\"data\":{\"timestamp\":\"", 0xC3, 0x28, "\"}}"),
                        "invalid JSON: not UTF-8"),
                // Ill-formed sequences, some of the right shape, which Jackson's parser lets into strings.
                row(bytes("{\"event\":\"pong\",\"data\":{\"timestamp\":\"", 0xC0, 0xAF, "\"}}"), "invalid JSON: not UTF-8"),
                row(bytes("{\"event\":\"pong\",\"data\":{\"timestamp\":\"", 0xED, 0xA0, 0x80, "\"}}"),
                        "invalid JSON: not UTF-8"),
                row(bytes("{\"event\":\"pong\",\"data\":{\"timestamp\":\"", 0xF4, 0x90, 0x80, 0x80, "\"}}"),
                        "invalid JSON: not UTF-8"),
                row(bytes("{\"event\":\"pong\",\"data\":{\"", 0xE0, 0x80, 0xAF, "\":1}}"), "invalid JSON: not UTF-8"),
                row(bytes(0xFF, 0xFE, validPong), "invalid JSON: not UTF-8"),
                row(validPong.getBytes(UTF_16LE), "invalid JSON: not UTF-8"),
                row("42", "expected a JSON object"),
                row("null", "expected a JSON object"),
                row("\"pong\"", "expected a JSON object"),
                row("[" + validPong + "]", "expected a JSON object"),
                // The envelope.
                row("{\"data\":{}}", "missing \"event\""),
                row("{\"event\":7,\"data\":{}}", "event: expected a string"),
                row("{\"event\":null,\"data\":{}}", "event: expected a string"),
                row("{\"event\":\"foo\",\"data\":{}}", "unknown event \"foo\""),
                row("{\"event\":\"PONG\",\"data\":{}}", "unknown event \"PONG\""),
                row("{\"event\":\"ping\",\"data\":{\"sequence\":42}}", "unknown event \"ping\""),
                row("{\"event\":\"" + "x".repeat(200) + "\",\"data\":{}}",
                        "unknown event \"" + "x".repeat(32) + "...\""),
                row("{\"event\":\"a\\nb\\u00e9\",\"data\":{}}", "unknown event \"a?b?\""),
                row("{\"event\":\"pong\"}", "missing \"data\""),
                row("{\"event\":\"pong\",\"data\":null}", "data: expected an object"),
                row("{\"event\":\"pong\",\"data\":[]}", "data: expected an object"),
                row("{\"event\":\"pong\",\"seq\":1,\"data\":{}}", "unknown field \"seq\""),
                // pong
                row(pong("\"sequence\":-1"), "data.sequence: expected a non-negative integer"),
                row(pong("\"sequence\":42.0"), "data.sequence: expected a non-negative integer"),
                row(pong("\"sequence\":1e3"), "data.sequence: expected a non-negative integer"),
                row(pong("\"sequence\":\"42\""), "data.sequence: expected a non-negative integer"),
                row(pong("\"sequence\":9223372036854775808"), "data.sequence: expected a non-negative integer"),
                row(pong("\"timestamp\":1729506600"), "data.timestamp: expected a string"),
                row(pong("\"timestamp\":\"" + "1".repeat(65) + "\""), "data.timestamp: longer than 64 characters"),
                // get_stream_info
                row(getStreamInfo(""), "data.request_id: required"),
                row(getStreamInfo("\"request_id\":null"), "data.request_id: required"),
                row(getStreamInfo("\"request_id\":\"\""), "data.request_id: expected a string of 1..128 characters"),
                row(getStreamInfo("\"request_id\":\"" + "r".repeat(129) + "\""),
                        "data.request_id: expected a string of 1..128 characters"),
                row(getStreamInfo("\"request_id\":12345"), "data.request_id: expected a string of 1..128 characters"),
                // refresh_token: the reasons never quote the token
                row(refresh(""), "data.token: required"),
                row(refresh("\"token\":null"), "data.token: required"),
                row(refresh("\"token\":\"\""), "data.token: expected a string of 1..8192 characters"),
                row(refresh("\"token\":42"), "data.token: expected a string of 1..8192 characters"),
                row(refresh("\"token\":[\"eyJ\"]"), "data.token: expected a string of 1..8192 characters"),
                row(refresh("\"token\":\"" + "t".repeat(8193) + "\""),
                        "data.token: expected a string of 1..8192 characters"),
                row("{\"event\":\"refresh_token\",\"data\":{\"token\":\"eyJ.x.y\"},\"token\":\"eyJ.x.y\"}",
                        "unknown field \"token\""),
                // report_issue, starting with the seed example's placeholder taken literally
                row(issue("\"issue_type\":\"buffering|lag|quality|playback_error|other\",\"severity\":\"low\""),
                        "data.issue_type: expected one of buffering, lag, quality, playback_error, other"),
                row(issue("\"issue_type\":3,\"severity\":\"low\""),
                        "data.issue_type: expected one of buffering, lag, quality, playback_error, other"),
                row(issue("\"severity\":\"low\""), "data.issue_type: required"),
                row(issue("\"issue_type\":\"lag\""), "data.severity: required"),
                row(issue("\"issue_type\":\"lag\",\"severity\":\"urgent\""),
                        "data.severity: expected one of low, medium, high"),
                row(lowLagIssue("\"description\":true"), "data.description: expected a string"),
                row(lowLagIssue("\"description\":\"" + "d".repeat(2001) + "\""),
                        "data.description: longer than 2000 characters"),
                row(lowLagIssue("\"client_info\":\"Chrome\""), "data.client_info: expected an object"),
                row(lowLagIssue("\"client_info\":{\"player\":7}"), "data.client_info.player: expected a string"),
                row(lowLagIssue("\"client_info\":{\"os\":\"" + "o".repeat(257) + "\"}"),
                        "data.client_info.os: longer than 256 characters"),
                row(lowLagIssue("\"client_info\":{\"bandwidth_estimate_kbps\":-1}"),
                        "data.client_info.bandwidth_estimate_kbps: expected a non-negative 32-bit integer"),
                row(lowLagIssue("\"client_info\":{\"bandwidth_estimate_kbps\":4294967296}"),
                        "data.client_info.bandwidth_estimate_kbps: expected a non-negative 32-bit integer"),
                row(lowLagIssue("\"client_info\":{\"bandwidth_estimate_kbps\":8000.5}"),
                        "data.client_info.bandwidth_estimate_kbps: expected a non-negative 32-bit integer"));
    }

    @ParameterizedTest
    @MethodSource("malformedFrames")
    void isRefusedWithAReasonNamingTheProblem(byte[] frame, String reason) {
        assertThat(codec.decodeClientMessage(frame)).isEqualTo(new DecodeResult.Invalid<ClientMessage>(reason));
    }

    @Test
    void unknownFieldsInsideDataAreIgnored() {
        byte[] frame = "{\"event\":\"pong\",\"data\":{\"sequence\":1,\"latency_ms\":{\"p50\":[1,2]}}}".getBytes(UTF_8);

        assertThat(codec.decodeClientMessage(frame))
                .isEqualTo(new DecodeResult.Decoded<ClientMessage>(new Pong(1L, null), OptionalLong.empty()));
    }

    /** Found by ClientMessageFuzzTest: Jackson's shared name table used to read these bytes as "event". */
    @Test
    void aFieldNameThatIsNotUtf8IsNeverReadAsTheValidNameItResembles() {
        byte[] notQuiteEvent = bytes("{\"even", 0xFF, "t\":\"pong\",\"data\":{}}");
        DecodeResult<ClientMessage> refusal = new DecodeResult.Invalid<>("invalid JSON: not UTF-8");
        assertThat(codec.decodeClientMessage(notQuiteEvent)).isEqualTo(refusal);

        assertThat(codec.decodeClientMessage(pong("").getBytes(UTF_8))).isInstanceOf(DecodeResult.Decoded.class);

        assertThat(codec.decodeClientMessage(notQuiteEvent)).as("the same answer after a real \"event\"")
                .isEqualTo(refusal);
    }

    @Test
    void anyBytesGiveAResultNeverAnException() {
        Random random = new Random(20251021);
        byte[][] valid = {
            "{\"event\":\"pong\",\"data\":{\"sequence\":42,\"timestamp\":\"t\"}}".getBytes(UTF_8),
            "{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"req-1\"}}".getBytes(UTF_8),
            "{\"event\":\"refresh_token\",\"data\":{\"token\":\"eyJhbGciOiJIUzI1NiJ9.e30.c2ln\"}}".getBytes(UTF_8),
            codec.encode(new ReportIssue(
                    IssueType.LAG, IssueSeverity.HIGH, "d\u00e9", new ClientInfo("p", "b", "o", "n", 1))),
        };
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = i % 4 == 0 ? randomBytes(random) : mutate(valid[random.nextInt(valid.length)], random);

            DecodeResult<ClientMessage> result = codec.decodeClientMessage(frame);

            if (result instanceof DecodeResult.Invalid<ClientMessage> invalid) {
                assertThat(invalid.reason()).hasSizeLessThanOrEqualTo(120).matches("[ -~]+");
            }
        }
    }

    private static byte[] randomBytes(Random random) {
        byte[] bytes = new byte[random.nextInt(64)];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] mutate(byte[] valid, Random random) {
        byte[] bytes = valid.clone();
        for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
            bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
        }
        return bytes;
    }

    private static String pong(String dataFields) {
        return "{\"event\":\"pong\",\"data\":{" + dataFields + "}}";
    }

    private static String getStreamInfo(String dataFields) {
        return "{\"event\":\"get_stream_info\",\"data\":{" + dataFields + "}}";
    }

    private static String refresh(String dataFields) {
        return "{\"event\":\"refresh_token\",\"data\":{" + dataFields + "}}";
    }

    private static String issue(String dataFields) {
        return "{\"event\":\"report_issue\",\"data\":{" + dataFields + "}}";
    }

    private static String lowLagIssue(String moreDataFields) {
        return issue("\"issue_type\":\"lag\",\"severity\":\"low\"," + moreDataFields);
    }

    private static Arguments row(String frame, String reason) {
        return row(frame.getBytes(UTF_8), reason);
    }

    private static Arguments row(byte[] frame, String reason) {
        String shown = new String(frame, UTF_8);
        String name = shown.isBlank() ? "<blank>" : shown.length() > 80 ? shown.substring(0, 80) + "..." : shown;
        return Arguments.of(named(name, frame), reason);
    }

    /** Text with raw bytes spliced in, for input that is not valid UTF-8. */
    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object part : parts) {
            if (part instanceof String text) {
                out.writeBytes(text.getBytes(UTF_8));
            } else {
                out.write((Integer) part);
            }
        }
        return out.toByteArray();
    }
}
