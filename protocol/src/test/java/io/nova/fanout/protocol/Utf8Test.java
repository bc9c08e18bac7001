package io.nova.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class Utf8Test {

    @ParameterizedTest
    @ValueSource(strings = {"", "41", "7f", "c280", "dfbf", "e0a080", "ed9fbf", "ee8080", "efbfbf", "f0908080",
        "f48fbfbf", "e282ac", "f09f9880"})
    void wellFormedSequencesPass(String hex) {
        assertThat(Utf8.isWellFormed(HexFormat.of().parseHex(hex), 0, hex.length() / 2)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"80", "bf", "c0af", "c1bf", "c2", "c241", "e080af", "e09fbf", "eda080", "edbfbf", "e282",
        "f08fbfbf", "f4908080", "f5808080", "ff", "fe", "f09f98", "f09f9841"})
    void illFormedSequencesFail(String hex) {
        assertThat(Utf8.isWellFormed(HexFormat.of().parseHex(hex), 0, hex.length() / 2)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2})
    void aSequenceCutByTheRangeFails(int cut) {
        byte[] euroBetweenLetters = HexFormat.of().parseHex("41e282ac41");

        assertThat(Utf8.isWellFormed(euroBetweenLetters, 1, 3)).isTrue();
        assertThat(Utf8.isWellFormed(euroBetweenLetters, 1, cut)).isFalse();
        assertThat(Utf8.isWellFormed(euroBetweenLetters, 1 + cut, 4 - cut)).isFalse();
    }
}
