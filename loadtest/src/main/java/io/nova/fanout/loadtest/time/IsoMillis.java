package io.nova.fanout.loadtest.time;

/**
 * The protocol's timestamp form, {@code 2026-11-22T04:40:46.647Z} (ISO-8601, UTC, exactly three fraction
 * digits), converted to and from epoch milliseconds without allocating, because every {@code bitrate_update}
 * a viewer receives carries one. Only that exact 24-character form is read; the server writes nothing else.
 */
public final class IsoMillis {
    /** Length of {@code yyyy-MM-ddTHH:mm:ss.SSSZ}. */
    public static final int LENGTH = 24;

    /** What {@link #parse} returns for anything but the exact form. */
    public static final long INVALID = Long.MIN_VALUE;

    private static final long MILLIS_PER_DAY = 86_400_000L;

    private IsoMillis() {}

    /**
     * Reads {@code bytes[from, to)} as a timestamp.
     *
     * @return epoch milliseconds, or {@link #INVALID} unless the range holds exactly the protocol's form
     */
    public static long parse(byte[] bytes, int from, int to) {
        if (to - from != LENGTH
                || bytes[from + 4] != '-' || bytes[from + 7] != '-' || bytes[from + 10] != 'T'
                || bytes[from + 13] != ':' || bytes[from + 16] != ':' || bytes[from + 19] != '.'
                || bytes[from + 23] != 'Z') {
            return INVALID;
        }
        int year = digits(bytes, from, 4);
        int month = digits(bytes, from + 5, 2);
        int day = digits(bytes, from + 8, 2);
        int hour = digits(bytes, from + 11, 2);
        int minute = digits(bytes, from + 14, 2);
        int second = digits(bytes, from + 17, 2);
        int millis = digits(bytes, from + 20, 3);
        if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
                || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0) {
            return INVALID;
        }
        long days = daysFromCivil(year, month, day);
        return days * MILLIS_PER_DAY + ((hour * 60L + minute) * 60L + second) * 1_000L + millis;
    }

    /** Formats {@code epochMillis} (from year 0 to 9999) in the protocol's form. */
    public static String format(long epochMillis) {
        long days = Math.floorDiv(epochMillis, MILLIS_PER_DAY);
        long millisOfDay = Math.floorMod(epochMillis, MILLIS_PER_DAY);
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm, proleptic Gregorian).
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long monthIndex = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * monthIndex + 2) / 5 + 1);
        int month = (int) (monthIndex < 10 ? monthIndex + 3 : monthIndex - 9);
        long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);

        char[] out = new char[LENGTH];
        put(out, 0, year, 4);
        out[4] = '-';
        put(out, 5, month, 2);
        out[7] = '-';
        put(out, 8, day, 2);
        out[10] = 'T';
        put(out, 11, millisOfDay / 3_600_000, 2);
        out[13] = ':';
        put(out, 14, millisOfDay / 60_000 % 60, 2);
        out[16] = ':';
        put(out, 17, millisOfDay / 1_000 % 60, 2);
        out[19] = '.';
        put(out, 20, millisOfDay % 1_000, 3);
        out[23] = 'Z';
        return new String(out);
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
    static long daysFromCivil(int year, int month, int day) {
        int y = month <= 2 ? year - 1 : year;
        long era = Math.floorDiv(y, 400);
        long yearOfEra = y - era * 400;
        long dayOfYear = (153L * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
        long dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
        return era * 146_097 + dayOfEra - 719_468;
    }

    /** The decimal value of {@code count} ASCII digits, or -1 if one of them is not a digit. */
    private static int digits(byte[] bytes, int from, int count) {
        int value = 0;
        for (int i = from; i < from + count; i++) {
            int digit = bytes[i] - '0';
            if (digit < 0 || digit > 9) {
                return -1;
            }
            value = value * 10 + digit;
        }
        return value;
    }

    private static void put(char[] out, int at, long value, int width) {
        long rest = value;
        for (int i = at + width - 1; i >= at; i--) {
            out[i] = (char) ('0' + rest % 10);
            rest /= 10;
        }
    }
}
