package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

/** Claim names and limits shared by {@link TokenVerifier} and {@link TokenMinter}, so the two cannot drift. */
final class TokenFormat {

    static final String ROLE = "role";
    static final String BROADCASTER_ROLE = "broadcaster";
    static final String STREAMS = "streams";

    static final int MAX_SUBJECT_CHARS = 256;

    /**
     * Checks an HMAC secret and copies it: the JWT library keeps a reference to the array it is given,
     * so a caller that later clears or reuses its own array must not change our key.
     */
    static byte[] checkedSecretCopy(byte[] hmacSecret) {
        requireNonNull(hmacSecret, "hmacSecret");
        if (hmacSecret.length < TokenVerifier.MIN_SECRET_BYTES) {
            throw new IllegalArgumentException("jwtSecret: " + hmacSecret.length + " bytes (expected: >= " +
                                               TokenVerifier.MIN_SECRET_BYTES + " bytes)");
        }
        return hmacSecret.clone();
    }

    private TokenFormat() {}
}
