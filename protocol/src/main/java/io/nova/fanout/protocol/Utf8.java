package io.nova.fanout.protocol;

/**
 * Strict UTF-8 (RFC 3629), checked before Jackson parses a viewer's frame. Jackson checks only the shape of
 * multi-byte sequences, so it lets overlong forms, encoded surrogates and code points past U+10FFFF into
 * strings, and it may read a field name that is not UTF-8 as a valid one it has seen before.
 */
final class Utf8 {

    private Utf8() {
    }

    /** Whether {@code length} bytes from {@code offset} are well-formed UTF-8. */
    static boolean isWellFormed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int i = offset;
        while (i < end) {
            if (bytes[i] >= 0) {
                i++;
                continue;
            }
            int lead = bytes[i] & 0xFF;
            int continuations;
            // The second byte's range is narrower after four leads: that is where the ill-formed ones hide.
            int secondMin = 0x80;
            int secondMax = 0xBF;
            if (lead >= 0xC2 && lead <= 0xDF) {
                continuations = 1;
            } else if (lead >= 0xE0 && lead <= 0xEF) {
                continuations = 2;
                secondMin = lead == 0xE0 ? 0xA0 : secondMin; // overlong below U+0800
                secondMax = lead == 0xED ? 0x9F : secondMax; // U+D800..U+DFFF, the surrogates
            } else if (lead >= 0xF0 && lead <= 0xF4) {
                continuations = 3;
                secondMin = lead == 0xF0 ? 0x90 : secondMin; // overlong below U+10000
                secondMax = lead == 0xF4 ? 0x8F : secondMax; // past U+10FFFF
            } else {
                return false; // a continuation byte, an overlong C0/C1 lead, or F5..FF
            }
            if (end - i <= continuations) {
                return false;
            }
            int second = bytes[i + 1] & 0xFF;
            if (second < secondMin || second > secondMax) {
                return false;
            }
            for (int k = 2; k <= continuations; k++) {
                if ((bytes[i + k] & 0xC0) != 0x80) {
                    return false;
                }
            }
            i += continuations + 1;
        }
        return true;
    }
}
