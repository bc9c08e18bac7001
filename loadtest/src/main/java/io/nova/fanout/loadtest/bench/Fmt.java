package io.nova.fanout.loadtest.bench;

import java.util.Locale;

/** Number formatting for the markdown; {@code null} (not measured) is shown as "n/a". */
final class Fmt {
    static final String NA = "n/a";

    private Fmt() {
    }

    static String count(Double value) {
        return value == null ? NA : String.format(Locale.ROOT, "%,d", Math.round(value));
    }

    static String rate(Double value) {
        if (value == null) {
            return NA;
        }
        if (value >= 100 || value == Math.rint(value)) {
            return String.format(Locale.ROOT, "%,d", Math.round(value));
        }
        return String.format(Locale.ROOT, "%,.1f", value);
    }

    static String ms(Double value) {
        if (value == null) {
            return NA;
        }
        if (value < 10) {
            return String.format(Locale.ROOT, "%.2f ms", value);
        }
        if (value < 100) {
            return String.format(Locale.ROOT, "%.1f ms", value);
        }
        return String.format(Locale.ROOT, "%,d ms", Math.round(value));
    }

    static String bytes(Double value) {
        if (value == null) {
            return NA;
        }
        double abs = Math.abs(value);
        if (abs >= 1024.0 * 1024 * 1024) {
            return String.format(Locale.ROOT, "%.2f GiB", value / (1024.0 * 1024 * 1024));
        }
        if (abs >= 1024.0 * 1024) {
            return String.format(Locale.ROOT, "%.1f MiB", value / (1024.0 * 1024));
        }
        if (abs >= 1024.0) {
            return String.format(Locale.ROOT, "%,d B (%.1f KiB)", Math.round(value), value / 1024.0);
        }
        return String.format(Locale.ROOT, "%,d B", Math.round(value));
    }

    static String ratio(Double value) {
        if (value == null) {
            return NA;
        }
        if (value != 0 && Math.abs(value) < 0.1) {
            return String.format(Locale.ROOT, "%.2g×", value);
        }
        return String.format(Locale.ROOT, value >= 10 ? "%.1f×" : "%.2f×", value);
    }

    static String percentChange(Double ratio) {
        if (ratio == null) {
            return NA;
        }
        return String.format(Locale.ROOT, "%+.1f %%", (ratio - 1) * 100);
    }

    static String micros(Double value) {
        return value == null ? NA : String.format(Locale.ROOT, value < 10 ? "%.2f µs" : "%.1f µs", value);
    }

    /** A share from 0 to 1 as a percentage. */
    static String percent(Double share) {
        return share == null ? NA : String.format(Locale.ROOT, "%.0f %%", share * 100);
    }

    static String decimal(Double value, int digits) {
        return value == null ? NA : String.format(Locale.ROOT, "%." + digits + "f", value);
    }

    static String seconds(Double value) {
        if (value == null) {
            return NA;
        }
        long total = Math.round(value);
        return total >= 60 ? String.format(Locale.ROOT, "%d min %02d s", total / 60, total % 60) : total + " s";
    }
}
