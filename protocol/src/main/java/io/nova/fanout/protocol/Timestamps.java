package io.nova.fanout.protocol;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** The protocol's one timestamp form: ISO-8601 in UTC with exactly three fraction digits. */
public final class Timestamps {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    /** Formats an instant, truncating anything finer than a millisecond, e.g. {@code 2025-10-21T10:30:45.123Z}. */
    public static String format(Instant instant) {
        return FORMAT.format(instant);
    }
}
