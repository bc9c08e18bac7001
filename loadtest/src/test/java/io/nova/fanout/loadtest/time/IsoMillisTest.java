package io.nova.fanout.loadtest.time;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class IsoMillisTest {

    @Test
    void formatsAndParsesLikeJavaTime() {
        SplittableRandom random = new SplittableRandom(17);
        long from = Instant.parse("1970-01-01T00:00:00Z").toEpochMilli();
        long to = Instant.parse("2999-12-31T23:59:59.999Z").toEpochMilli();
        for (int i = 0; i < 20_000; i++) {
            long millis = random.nextLong(from, to);
            String expected = Instant.ofEpochMilli(millis).truncatedTo(ChronoUnit.MILLIS).toString();
            String formatted = IsoMillis.format(millis);
            // Instant.toString drops a zero fraction; the protocol always writes three digits.
            assertThat(formatted).startsWith(expected.replace("Z", "")).hasSize(IsoMillis.LENGTH).endsWith("Z");
            assertThat(Instant.parse(formatted).toEpochMilli()).isEqualTo(millis);
            byte[] bytes = formatted.getBytes(US_ASCII);
            assertThat(IsoMillis.parse(bytes, 0, bytes.length)).isEqualTo(millis);
        }
    }

    @Test
    void knownDates() {
        assertThat(IsoMillis.format(0)).isEqualTo("1970-01-01T00:00:00.000Z");
        assertThat(IsoMillis.format(Instant.parse("2024-02-29T23:59:59.999Z").toEpochMilli())).isEqualTo("2024-02-29T23:59:59.999Z");
        assertThat(parse("2026-11-22T04:40:47.996Z")).isEqualTo(Instant.parse("2026-11-22T04:40:47.996Z").toEpochMilli());
    }

    @Test
    void anythingButTheExactFormIsInvalid() {
        for (String text : new String[] {"2026-11-22T04:40:47Z", "2026-11-22T04:40:47.99Z", "2026-11-22T04:40:47.9960Z",
                "2026-11-22 04:40:47.996Z", "2026-13-22T04:40:47.996Z", "2026-11-22T24:40:47.996Z", "2026-11-22T04:40:47.996+",
                "2026-1a-22T04:40:47.996Z", "yesterday"}) {
            assertThat(parse(text)).as(text).isEqualTo(IsoMillis.INVALID);
        }
    }

    private static long parse(String text) {
        byte[] bytes = text.getBytes(US_ASCII);
        return IsoMillis.parse(bytes, 0, bytes.length);
    }
}
