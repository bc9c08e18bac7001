package io.nova.fanout.server;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one duration syntax of the command line, the environment and validation messages:
 * a non-negative integer followed by {@code ms}, {@code s}, {@code m} or {@code h}.
 */
public final class Durations {

    private static final Pattern SYNTAX = Pattern.compile("([0-9]+)(ms|s|m|h)");
    private static final Map<String, ChronoUnit> UNITS = Map.of(
            "ms", ChronoUnit.MILLIS,
            "s", ChronoUnit.SECONDS,
            "m", ChronoUnit.MINUTES,
            "h", ChronoUnit.HOURS);

    /**
     * Parses {@code 250ms}, {@code 30s}, {@code 5m} or {@code 1h}.
     *
     * @throws IllegalArgumentException for anything else, naming the text and the expected syntax
     */
    public static Duration parseDuration(String text) {
        requireNonNull(text, "text");
        final Matcher matcher = SYNTAX.matcher(text);
        if (!matcher.matches()) {
            throw invalid(text);
        }
        try {
            return Duration.of(Long.parseLong(matcher.group(1)), UNITS.get(matcher.group(2)));
        } catch (NumberFormatException | ArithmeticException e) {
            throw invalid(text); // Too many digits for a long, or too many hours for a Duration.
        }
    }

    /**
     * Formats {@code duration} in the largest unit that represents it exactly, so that
     * {@code parseDuration(format(d))} gives back {@code d} for any non-negative whole number of
     * milliseconds: 30 000 ms is {@code 30s}, 90 s is {@code 90s}, zero is {@code 0s}. Finer or negative
     * durations, which parsing never produces, still come out exact ({@code 1500us}, {@code -5s}) so that
     * a validation message shows the value that was actually given.
     */
    public static String format(Duration duration) {
        requireNonNull(duration, "duration");
        if (duration.isNegative()) {
            return '-' + format(duration.negated());
        }
        final long seconds = duration.getSeconds();
        final int nanos = duration.getNano();
        if (nanos == 0) {
            if (seconds != 0 && seconds % 3600 == 0) {
                return seconds / 3600 + "h";
            }
            if (seconds != 0 && seconds % 60 == 0) {
                return seconds / 60 + "m";
            }
            return seconds + "s";
        }
        if (nanos % 1_000_000 == 0) {
            return duration.toMillis() + "ms";
        }
        if (nanos % 1_000 == 0) {
            return duration.toNanos() / 1_000 + "us";
        }
        return duration.toNanos() + "ns";
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException(
                "invalid duration '" + text + "' (expected: an integer followed by ms, s, m or h, e.g. 30s or 250ms)");
    }

    private Durations() {}
}
