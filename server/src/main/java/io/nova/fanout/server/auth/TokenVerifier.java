package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;

import io.nova.fanout.protocol.ProtocolLimits;

/**
 * Verifies viewer and broadcaster tokens: compact JWS signed with HS256 and nothing else, {@code exp}
 * and {@code sub} required, {@code exp} and {@code nbf} checked against the injected clock with
 * 30 seconds of skew either way.
 *
 * <p>Called on event loops for every handshake, so it does no I/O, never throws, never logs, and
 * reports a refusal as an {@link AuthResult.Rejected} value. Thread-safe.
 */
public final class TokenVerifier {

    /** HS256 needs a key at least as long as its 256-bit output to get its full strength. */
    public static final int MIN_SECRET_BYTES = 32;

    /** Far above any token we mint; bounds the work an attacker can make the parser do. */
    static final int MAX_TOKEN_CHARS = ProtocolLimits.MAX_TOKEN_CHARS;

    /**
     * How far {@code exp} and {@code nbf} may be off either way. A live viewer connection is held to the
     * same rule: it is closed once its token would no longer pass this check, {@code exp} plus this skew.
     */
    public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

    private final MACVerifier macVerifier;
    private final Clock clock;

    /**
     * @throws IllegalArgumentException if {@code hmacSecret} is shorter than {@value #MIN_SECRET_BYTES} bytes
     */
    public TokenVerifier(byte[] hmacSecret, Clock clock) {
        final byte[] secret = TokenFormat.checkedSecretCopy(hmacSecret);
        this.clock = requireNonNull(clock, "clock");
        try {
            macVerifier = new MACVerifier(secret);
        } catch (JOSEException e) {
            // Only thrown for a key shorter than 256 bits, which checkedSecretCopy has ruled out.
            throw new IllegalStateException(e);
        }
    }

    public AuthResult verify(String token) {
        if (token == null || token.isBlank()) {
            return reject(RejectReason.MISSING);
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            return reject(RejectReason.MALFORMED);
        }
        final JWT jwt;
        try {
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            // The parser is fed bytes from the network: whatever it throws means "not a token".
            return reject(RejectReason.MALFORMED);
        }
        // Checked on the parsed header before any signature work, so that alg: none, HS512 and RS256
        // are reported as what they are and never reach a verifier that might accept them.
        if (!(jwt instanceof SignedJWT signed) ||
            !JWSAlgorithm.HS256.equals(signed.getHeader().getAlgorithm())) {
            return reject(RejectReason.WRONG_ALGORITHM);
        }
        try {
            if (!signed.verify(macVerifier)) {
                return reject(RejectReason.BAD_SIGNATURE);
            }
        } catch (JOSEException | RuntimeException e) {
            return reject(RejectReason.BAD_SIGNATURE);
        }
        final JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            return reject(RejectReason.MALFORMED);
        }
        return verifyClaims(claims);
    }

    private AuthResult verifyClaims(JWTClaimsSet claims) {
        final Date expiresAt = claims.getExpirationTime();
        final String subject = claims.getSubject();
        if (expiresAt == null || subject == null || subject.isBlank()) {
            return reject(RejectReason.MISSING_CLAIM);
        }
        if (subject.length() > TokenFormat.MAX_SUBJECT_CHARS) {
            return reject(RejectReason.MALFORMED);
        }

        final Instant now = clock.instant();
        if (!now.isBefore(expiresAt.toInstant().plus(CLOCK_SKEW))) {
            return reject(RejectReason.EXPIRED);
        }
        final Date notBefore = claims.getNotBeforeTime();
        if (notBefore != null && now.isBefore(notBefore.toInstant().minus(CLOCK_SKEW))) {
            return reject(RejectReason.NOT_YET_VALID);
        }

        final Optional<StreamGrant> grant = StreamGrant.fromClaim(claims.getClaim(TokenFormat.STREAMS));
        final Object role = claims.getClaim(TokenFormat.ROLE);
        if (grant.isEmpty() || (role != null && !(role instanceof String))) {
            return reject(RejectReason.MALFORMED);
        }
        final boolean broadcaster = TokenFormat.BROADCASTER_ROLE.equals(role);
        return new AuthResult.Authenticated(new Principal(subject, grant.get(), broadcaster, expiresAt.toInstant()));
    }

    private static AuthResult reject(RejectReason reason) {
        return new AuthResult.Rejected(reason);
    }
}
