package io.nova.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

    @ParameterizedTest
    @CsvSource({
            "250ms, PT0.25S",
            "0ms, PT0S",
            "0s, PT0S",
            "30s, PT30S",
            "90s, PT1M30S",
            "5m, PT5M",
            "1h, PT1H",
            "24h, PT24H",
            "007s, PT7S",
    })
    void parsesEachUnit(String text, Duration expected) {
        assertThat(Durations.parseDuration(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "30x", "", "s", "30", "-5s", "+5s", "1.5s", "30 s", " 30s", "30s ", "30S", "30sec",
            "1500us", "1d", "PT30S", "1h30m",
            "99999999999999999999ms",   // more digits than a long
            "9223372036854775807h",     // a long, but too many hours for a Duration
    })
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> Durations.parseDuration(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("invalid duration '" + text +
                            "' (expected: an integer followed by ms, s, m or h, e.g. 30s or 250ms)");
    }

    @ParameterizedTest
    @CsvSource({
            "PT30S, 30s",
            "PT0S, 0s",
            "PT0.05S, 50ms",
            "PT1.5S, 1500ms",
            "PT1M30S, 90s",
            "PT2M, 2m",
            "PT1H, 1h",
            "PT25H, 25h",
            "PT1H0.001S, 3600001ms",
            "PT0.0015S, 1500us",
            "PT0.000000001S, 1ns",
            "PT-5S, -5s",
            "PT-0.25S, -250ms",
    })
    void formatsInTheLargestExactUnit(Duration duration, String expected) {
        assertThat(Durations.format(duration)).isEqualTo(expected);
    }

    @Test
    void formatsThirtyThousandMillisAsThirtySeconds() {
        assertThat(Durations.format(Duration.ofMillis(30_000))).isEqualTo("30s");
    }

    @ParameterizedTest
    @ValueSource(longs = { 0, 1, 10, 999, 1000, 1001, 59_999, 60_000, 61_000, 3_600_000, 86_400_000, 123_456_789 })
    void formatThenParseIsIdentityForWholeMillis(long millis) {
        final Duration duration = Duration.ofMillis(millis);
        assertThat(Durations.parseDuration(Durations.format(duration))).isEqualTo(duration);
    }

    @ParameterizedTest
    @ValueSource(strings = { "250ms", "30s", "5m", "1h", "90s", "1500ms" })
    void parseThenFormatIsIdentityForShortestForms(String text) {
        assertThat(Durations.format(Durations.parseDuration(text))).isEqualTo(text);
    }
}
