package io.nova.fanout.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class WireValuesTest {

    static Stream<Arguments> constants() {
        return Stream.of(
                        constantsOf(ErrorCode.values(), ErrorCode::fromWire),
                        constantsOf(Severity.values(), Severity::fromWire),
                        constantsOf(IssueType.values(), IssueType::fromWire),
                        constantsOf(IssueSeverity.values(), IssueSeverity::fromWire),
                        constantsOf(EndReason.values(), EndReason::fromWire),
                        constantsOf(QualityChangeReason.values(), QualityChangeReason::fromWire),
                        constantsOf(StreamStatus.values(), StreamStatus::fromWire),
                        constantsOf(StreamHealth.values(), StreamHealth::fromWire))
                .flatMap(Function.identity());
    }

    static Stream<Arguments> lookups() {
        return Stream.of(
                Arguments.of("ErrorCode", (Function<String, Optional<?>>) ErrorCode::fromWire),
                Arguments.of("Severity", (Function<String, Optional<?>>) Severity::fromWire),
                Arguments.of("IssueType", (Function<String, Optional<?>>) IssueType::fromWire),
                Arguments.of("IssueSeverity", (Function<String, Optional<?>>) IssueSeverity::fromWire),
                Arguments.of("EndReason", (Function<String, Optional<?>>) EndReason::fromWire),
                Arguments.of("QualityChangeReason", (Function<String, Optional<?>>) QualityChangeReason::fromWire),
                Arguments.of("StreamStatus", (Function<String, Optional<?>>) StreamStatus::fromWire),
                Arguments.of("StreamHealth", (Function<String, Optional<?>>) StreamHealth::fromWire));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("constants")
    void everyConstantIsFoundByItsWireName(Enum<?> constant, Function<String, Optional<?>> fromWire) {
        assertThat(fromWire.apply(((WireValue) constant).wireName())).isEqualTo(Optional.of(constant));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("constants")
    void wireNameIsTheSeedsSpelling(Enum<?> constant, Function<String, Optional<?>> fromWire) {
        String expected = constant instanceof ErrorCode ? constant.name() : constant.name().toLowerCase(Locale.ROOT);

        assertThat(((WireValue) constant).wireName()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("lookups")
    void unknownOrNullIsEmpty(String type, Function<String, Optional<?>> fromWire) {
        assertThat(fromWire.apply(null)).isEmpty();
        assertThat(fromWire.apply("")).isEmpty();
        assertThat(fromWire.apply("no_such_value")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("constants")
    void lookupIsCaseSensitive(Enum<?> constant, Function<String, Optional<?>> fromWire) {
        String wireName = ((WireValue) constant).wireName();
        String otherCase = constant instanceof ErrorCode
                ? wireName.toLowerCase(Locale.ROOT)
                : wireName.toUpperCase(Locale.ROOT);

        assertThat(fromWire.apply(otherCase)).isEmpty();
    }

    private static <E extends Enum<E> & WireValue> Stream<Arguments> constantsOf(
            E[] values, Function<String, Optional<E>> fromWire) {
        return Arrays.stream(values).map(constant -> Arguments.of(constant, fromWire));
    }
}
