package io.nova.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProtocolLimitsTest {

    @ParameterizedTest
    @ValueSource(strings = {"550e8400-e29b-41d4-a716-446655440000", "a", "stream_1.live-2", "A.B_C-D"})
    void acceptsUrlSafeStreamIds(String streamId) {
        assertThat(ProtocolLimits.isValidStreamId(streamId)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/b", "a b", "caf\u00e9", "a%2Fb", "stream\n"})
    void refusesOtherStreamIds(String streamId) {
        assertThat(ProtocolLimits.isValidStreamId(streamId)).isFalse();
    }

    @Test
    void boundsTheLengthAndToleratesNull() {
        assertThat(ProtocolLimits.isValidStreamId("s".repeat(128))).isTrue();
        assertThat(ProtocolLimits.isValidStreamId("s".repeat(129))).isFalse();
        assertThat(ProtocolLimits.isValidStreamId(null)).isFalse();
    }
}
