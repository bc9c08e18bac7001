package io.nova.fanout.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Decoding what a server sends: tolerant of additions, strict about values it would misread. */
class ServerMessageDecodeTest {

    private static final String AT = "2025-10-21T10:50:00Z";

    private final ProtocolCodec codec = new ProtocolCodec();

    @Test
    void ignoresKeysItDoesNotKnowAtEveryLevel() {
        String frame = "{\"v\":2,\"event\":\"ping\",\"seq\":5,\"data\":{\"sequence\":1,\"timestamp\":\"" + AT + "\","
                + "\"region\":{\"name\":\"eu\"}}}";

        assertThat(decode(frame))
                .isEqualTo(new DecodeResult.Decoded<ServerMessage>(new Ping(1, Instant.parse(AT)), OptionalLong.of(5)));
    }

    @Test
    void readsAnAbsentDescriptionAsEmpty() {
        String frame = "{\"event\":\"stream_started\",\"data\":{\"stream_id\":\"s\",\"broadcaster_id\":\"b\","
                + "\"title\":\"t\",\"quality\":\"720p\",\"fps\":30,\"bitrate_kbps\":3000,"
                + "\"timestamp\":\"" + AT + "\"}}";

        assertThat(decode(frame)).isEqualTo(new DecodeResult.Decoded<ServerMessage>(
                new StreamStarted("s", "b", "t", "", "720p", 30, 3000, Instant.parse(AT)), OptionalLong.empty()));
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(delimiter = '|', value = {
        "{\"event\":\"pong\",\"data\":{}}"
                + "|unknown event \"pong\"",
        "{\"event\":\"ping\",\"seq\":-1,\"data\":{\"sequence\":1,\"timestamp\":\"2025-10-21T10:50:00Z\"}}"
                + "|seq: expected a non-negative integer",
        "{\"event\":\"ping\",\"data\":{\"timestamp\":\"2025-10-21T10:50:00Z\"}}"
                + "|data.sequence: required",
        "{\"event\":\"ping\",\"data\":{\"sequence\":1,\"timestamp\":\"yesterday\"}}"
                + "|data.timestamp: expected an ISO-8601 UTC timestamp",
        "{\"event\":\"ping\",\"data\":{\"sequence\":1.5,\"timestamp\":\"2025-10-21T10:50:00Z\"}}"
                + "|data.sequence: expected a 64-bit integer",
        "{\"event\":\"bitrate_update\",\"data\":{\"stream_id\":\"s\",\"current_bitrate_kbps\":1,\"quality\":\"q\","
                + "\"health\":\"superb\",\"timestamp\":\"2025-10-21T10:50:00Z\"}}"
                + "|data.health: expected one of excellent, good, fair, poor",
        "{\"event\":\"viewer_count_changed\",\"data\":{\"stream_id\":\"s\",\"viewer_count\":3000000000,"
                + "\"peak_viewers\":1,\"change\":1,\"timestamp\":\"2025-10-21T10:50:00Z\"}}"
                + "|data.viewer_count: expected a 32-bit integer",
        "{\"event\":\"error\",\"data\":{\"error_code\":\"RTMP_CONNECTION_LOST\",\"error_message\":\"m\","
                + "\"severity\":\"critical\",\"recoverable\":\"no\",\"timestamp\":\"2025-10-21T10:50:00Z\"}}"
                + "|data.recoverable: expected a boolean",
        // The list of choices is long enough to be cut to the reason's length limit.
        "{\"event\":\"error\",\"data\":{\"error_code\":\"rtmp_connection_lost\",\"error_message\":\"m\","
                + "\"severity\":\"critical\",\"recoverable\":false,\"timestamp\":\"2025-10-21T10:50:00Z\"}}"
                + "|data.error_code: expected one of STREAM_NOT_FOUND, STREAM_ENDED, CONNECTION_REJECTED, "
                + "PROTOCOL_ERROR, SERVER_ERROR, R...",
    })
    void refusesValuesItWouldMisread(String frame, String reason) {
        assertThat(decode(frame)).isEqualTo(new DecodeResult.Invalid<ServerMessage>(reason));
    }

    @Test
    void anyBytesGiveAResultNeverAnException() {
        Random random = new Random(20251021);
        List<byte[]> valid = RoundTripTest.serverMessages().map(message -> codec.encode(message, 7)).toList();
        for (int i = 0; i < 20_000; i++) {
            byte[] frame = valid.get(random.nextInt(valid.size())).clone();
            for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                frame[random.nextInt(frame.length)] = (byte) random.nextInt(256);
            }

            DecodeResult<ServerMessage> result = codec.decodeServerMessage(frame);

            if (result instanceof DecodeResult.Invalid<ServerMessage> invalid) {
                assertThat(invalid.reason()).hasSizeLessThanOrEqualTo(120).matches("[ -~]+");
            }
        }
    }

    private DecodeResult<ServerMessage> decode(String frame) {
        return codec.decodeServerMessage(frame.getBytes(UTF_8));
    }
}
