package io.nova.fanout.server.auth;

/**
 * Why a token was refused. For metrics and tests only: clients get the same {@code 401} whatever the
 * reason, and no log line names it, so a prober learns nothing about which check it failed.
 */
public enum RejectReason {
    /** No token, or a blank one. */
    MISSING,
    /** Not a compact JWS, too long, or a claim of the wrong shape. */
    MALFORMED,
    /** An HS256 token whose signature does not match the server's secret. */
    BAD_SIGNATURE,
    /** Anything but HS256, including {@code alg: none}, other HMAC sizes and asymmetric algorithms. */
    WRONG_ALGORITHM,
    /** {@code exp} lies more than the allowed clock skew in the past. */
    EXPIRED,
    /** {@code nbf} lies more than the allowed clock skew in the future. */
    NOT_YET_VALID,
    /** {@code exp} or {@code sub} is absent. */
    MISSING_CLAIM
}
