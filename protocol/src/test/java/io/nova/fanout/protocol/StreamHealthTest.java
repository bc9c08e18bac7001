package io.nova.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class StreamHealthTest {

    @ParameterizedTest(name = "{0} of {1} kbps is {2}")
    @CsvSource({
        "5000, 5000, EXCELLENT",
        "4501, 5000, EXCELLENT",
        "4500, 5000, GOOD", // exactly 90 %
        "3500, 5000, GOOD", // exactly 70 %
        "3499, 5000, FAIR",
        "2500, 5000, FAIR", // exactly 50 %
        "2499, 5000, POOR",
        "0, 5000, POOR",
        "9, 10, GOOD",
        "7, 10, GOOD",
        "5, 10, FAIR",
        "6000, 5000, EXCELLENT",
        "2147483647, 2147483647, EXCELLENT",
        // Either side of 90 % of Integer.MAX_VALUE (1932735282.3): no overflow, no rounding.
        "1932735283, 2147483647, EXCELLENT",
        "1932735282, 2147483647, GOOD",
    })
    void classifiesByTheShareOfNominal(int currentKbps, int nominalKbps, StreamHealth expected) {
        assertThat(StreamHealth.of(currentKbps, nominalKbps)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
    void refusesANominalBitrateThatIsNotPositive(int nominalKbps) {
        assertThatThrownBy(() -> StreamHealth.of(100, nominalKbps))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nominalKbps: " + nominalKbps + " (expected: > 0)");
    }
}
