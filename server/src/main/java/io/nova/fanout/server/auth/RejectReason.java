package io.nova.fanout.server.auth;

/**
 * Why a token was refused. For metrics and tests only: clients get the same {@code 401} whatever the
 * reason, and no log line names it, so a prober learns nothing about which check it failed.
 */
public enum RejectReason {
    /** No token, or a blank one. */
    MISSING,
    /** Not a compact JWS, too long, nested too deeply, an RS256/ES256 token without {@code kid}, or a claim of the wrong shape. */
    MALFORMED,
    /** The signature does not match the key that should have made it. */
    BAD_SIGNATURE,
    /**
     * An algorithm we do not accept ({@code alg: none}, other HMAC sizes, PS256, ...), or one we accept but
     * have no key type for: HS256 without {@code --jwt-secret}, RS256/ES256 without {@code --jwks-url}, or a
     * {@code kid} whose key is of the other type.
     */
    WRONG_ALGORITHM,
    /** An RS256/ES256 token whose {@code kid} is not in the JWKS, even after the refresh it may cause. */
    UNKNOWN_KEY,
    /** {@code exp} lies more than the allowed clock skew in the past. */
    EXPIRED,
    /** {@code nbf} lies more than the allowed clock skew in the future. */
    NOT_YET_VALID,
    /** {@code exp} or {@code sub} is absent. */
    MISSING_CLAIM,
    /** {@code --jwt-audience} is set and the token's {@code aud} is absent or does not contain it. */
    WRONG_AUDIENCE,
    /** {@code --jwt-issuer} is set and the token's {@code iss} is absent or another. */
    WRONG_ISSUER
}
