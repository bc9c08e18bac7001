package io.nova.fanout.loadtest.report;

import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/** Number formatting shared by the summary and the HTML page; always with a dot, whatever the locale. */
public final class Format {
    private Format() {}

    /** A latency in milliseconds, or "-" when there is none. */
    public static String ms(Double millis) {
        if (millis == null) {
            return "-";
        }
        return millis < 10 ? String.format(Locale.ROOT, "%.3f", millis)
                : millis < 1_000 ? String.format(Locale.ROOT, "%.2f", millis)
                : String.format(Locale.ROOT, "%.0f", millis);
    }

    public static String decimal(double value, int digits) {
        return String.format(Locale.ROOT, "%." + digits + "f", value);
    }

    /** Large values with thousands separators, fractions with up to three digits. */
    public static String number(Double value) {
        if (value == null) {
            return "-";
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return String.valueOf(value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.format(Locale.ROOT, "%,d", (long) (double) value);
        }
        return Math.abs(value) >= 100 ? String.format(Locale.ROOT, "%,.1f", value)
                : String.format(Locale.ROOT, "%.3f", value);
    }

    /** {@code key ×count, ...}, or "none". */
    public static String counts(Map<String, Long> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        return counts.entrySet().stream().map(e -> e.getKey() + " x" + e.getValue()).collect(Collectors.joining(", "));
    }
}
