package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.SignedJWT;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.nova.fanout.protocol.ProtocolLimits;

/**
 * Verifies viewer and broadcaster tokens: a compact JWS signed with HS256 against {@code --jwt-secret}, or
 * with RS256 or ES256 against a key of the JWKS that its {@code kid} names and whose type fits the
 * algorithm ({@link VerificationKeys}); nothing else. The header's {@code alg} only chooses among the keys
 * we configured: HS256 never meets a JWKS key, RS256 and ES256 never meet the secret. {@code exp} and
 * {@code sub} are required, {@code exp} and {@code nbf} are checked against the injected clock with
 * 30 seconds of skew either way, and {@code aud} and {@code iss} when an audience or issuer is configured.
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
    private final JwksKeys jwks;
    private final String audience;
    private final String issuer;
    private final Clock clock;

    /** HS256 tokens against {@code hmacSecret} only, with no audience or issuer expected. */
    public TokenVerifier(byte[] hmacSecret, Clock clock) {
        this(requireNonNull(hmacSecret, "hmacSecret"), null, null, null, clock);
    }

    /**
     * @param hmacSecret the HS256 secret, or {@code null} to refuse HS256
     * @param jwks the RS256/ES256 keys, or {@code null} to refuse RS256 and ES256
     * @param audience the {@code aud} every token must contain, or {@code null} not to check it
     * @param issuer the {@code iss} every token must carry, or {@code null} not to check it
     * @throws IllegalArgumentException if {@code hmacSecret} is shorter than {@value #MIN_SECRET_BYTES} bytes,
     *         or neither a secret nor a JWKS is given
     */
    public TokenVerifier(byte[] hmacSecret, JwksKeys jwks, String audience, String issuer, Clock clock) {
        if (hmacSecret == null && jwks == null) {
            throw new IllegalArgumentException("jwtSecret: none and jwksUrl: none (expected: at least one)");
        }
        this.macVerifier = hmacSecret == null ? null : macVerifier(TokenFormat.checkedSecretCopy(hmacSecret));
        this.jwks = jwks;
        this.audience = audience;
        this.issuer = issuer;
        this.clock = requireNonNull(clock, "clock");
    }

    private static MACVerifier macVerifier(byte[] secret) {
        try {
            return new MACVerifier(secret);
        } catch (JOSEException e) {
            // Only thrown for a key shorter than 256 bits, which checkedSecretCopy has ruled out.
            throw new IllegalStateException(e);
        }
    }

    /** Verifies with the keys known now; never waits. An unknown {@code kid} is {@link RejectReason#UNKNOWN_KEY}. */
    public AuthResult verify(String token) {
        if (token == null || token.isBlank()) {
            return reject(RejectReason.MISSING);
        }
        if (token.length() > MAX_TOKEN_CHARS) {
            return reject(RejectReason.MALFORMED);
        }
        final JWT jwt;
        try {
            // The JSON parser under it stops at a nesting depth of 255 (and the length cap bounds the rest),
            // so that a header of 3,000 nested arrays is a ParseException, not a StackOverflowError.
            jwt = JWTParser.parse(token);
        } catch (ParseException | RuntimeException e) {
            // The parser is fed bytes from the network: whatever it throws means "not a token".
            return reject(RejectReason.MALFORMED);
        }
        // Checked on the parsed header before any signature work, so that alg: none, HS512 and PS256 are
        // reported as what they are and never reach a verifier that might accept them.
        if (!(jwt instanceof SignedJWT signed)) {
            return reject(RejectReason.WRONG_ALGORITHM);
        }
        final JWSAlgorithm algorithm = signed.getHeader().getAlgorithm();
        final AuthResult signature;
        if (JWSAlgorithm.HS256.equals(algorithm)) {
            signature = macVerifier == null ? reject(RejectReason.WRONG_ALGORITHM) : checkSignature(signed, macVerifier);
        } else if (JWSAlgorithm.RS256.equals(algorithm) || JWSAlgorithm.ES256.equals(algorithm)) {
            signature = jwks == null ? reject(RejectReason.WRONG_ALGORITHM) : checkJwksSignature(signed, algorithm);
        } else {
            signature = reject(RejectReason.WRONG_ALGORITHM);
        }
        if (signature != null) {
            return signature;
        }
        final JWTClaimsSet claims;
        try {
            claims = signed.getJWTClaimsSet();
        } catch (ParseException | RuntimeException e) {
            return reject(RejectReason.MALFORMED);
        }
        return verifyClaims(claims);
    }

    /**
     * As {@link #verify(String)}, except that a token whose {@code kid} is unknown may wait for one read of the
     * JWKS (at most {@link JwksKeys#FETCH_TIMEOUT}) and is then verified again: a key the issuer has just
     * published works at once. When no read may start now (see {@link JwksKeys#refreshForUnknownKey()}) the
     * refusal stands at once. The future completes on {@code executor}, the caller's event loop; without a
     * wait it is already complete.
     */
    public Future<AuthResult> verify(String token, EventExecutor executor) {
        final AuthResult now = verify(token);
        final Future<Void> refresh = now instanceof AuthResult.Rejected rejected &&
                                     rejected.reason() == RejectReason.UNKNOWN_KEY
                ? jwks.refreshForUnknownKey() : null;
        if (refresh == null) {
            return executor.newSucceededFuture(now);
        }
        final Promise<AuthResult> result = executor.newPromise();
        refresh.addListener(read -> {
            try {
                // Verified again on the caller's loop: the JWKS thread only reads, it does no one's crypto.
                executor.execute(() -> result.trySuccess(verify(token)));
            } catch (RejectedExecutionException e) {
                result.tryFailure(e); // The caller's loop is shutting down, and its channel with it.
            }
        });
        return result;
    }

    /** @return {@code null} if one of the candidates made the signature, else the refusal */
    private AuthResult checkJwksSignature(SignedJWT signed, JWSAlgorithm algorithm) {
        final String kid = signed.getHeader().getKeyID();
        if (kid == null || kid.isEmpty()) {
            return reject(RejectReason.MALFORMED);
        }
        final VerificationKeys keys = jwks.current();
        final List<VerificationKeys.Candidate> candidates = keys.find(kid, algorithm);
        if (candidates.isEmpty()) {
            return reject(keys.knows(kid) ? RejectReason.WRONG_ALGORITHM : RejectReason.UNKNOWN_KEY);
        }
        for (VerificationKeys.Candidate candidate : candidates) {
            if (checkSignature(signed, candidate.verifier()) == null) {
                return null;
            }
        }
        return reject(RejectReason.BAD_SIGNATURE);
    }

    /** @return {@code null} if {@code verifier}'s key made the signature, else the refusal */
    private static AuthResult checkSignature(SignedJWT signed, JWSVerifier verifier) {
        try {
            return signed.verify(verifier) ? null : reject(RejectReason.BAD_SIGNATURE);
        } catch (JOSEException | RuntimeException e) {
            return reject(RejectReason.BAD_SIGNATURE);
        }
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
        if (audience != null && !claims.getAudience().contains(audience)) {
            return reject(RejectReason.WRONG_AUDIENCE);
        }
        if (issuer != null && !issuer.equals(claims.getIssuer())) {
            return reject(RejectReason.WRONG_ISSUER);
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
