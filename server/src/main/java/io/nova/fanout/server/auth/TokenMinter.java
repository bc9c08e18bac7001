package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/**
 * Mints the HS256 tokens {@link TokenVerifier} accepts, for dev mode, tests and load testing.
 * Production tokens come from the platform's auth service, not from here. Thread-safe.
 */
public final class TokenMinter {

    private static final JWSHeader HEADER = new JWSHeader.Builder(JWSAlgorithm.HS256)
            .type(JOSEObjectType.JWT)
            .build();

    private final MACSigner signer;
    private final String audience;
    private final String issuer;
    private final Clock clock;

    /**
     * @throws IllegalArgumentException if {@code hmacSecret} is shorter than
     *         {@value TokenVerifier#MIN_SECRET_BYTES} bytes
     */
    public TokenMinter(byte[] hmacSecret, Clock clock) {
        this(hmacSecret, null, null, clock);
    }

    /**
     * Mints tokens with this {@code aud} and {@code iss} ({@code null}: none), for a server that checks them.
     *
     * @throws IllegalArgumentException if {@code hmacSecret} is shorter than
     *         {@value TokenVerifier#MIN_SECRET_BYTES} bytes
     */
    public TokenMinter(byte[] hmacSecret, String audience, String issuer, Clock clock) {
        final byte[] secret = TokenFormat.checkedSecretCopy(hmacSecret);
        this.audience = audience;
        this.issuer = issuer;
        this.clock = requireNonNull(clock, "clock");
        try {
            signer = new MACSigner(secret);
        } catch (JOSEException e) {
            throw new IllegalStateException(e); // Only for keys shorter than 256 bits, ruled out above.
        }
    }

    /** A viewer token for every stream. */
    public String viewerToken(String subject, Duration ttl) {
        return mint(subject, ttl, false, null);
    }

    /** A viewer token for {@code streams} only ({@code "*"} meaning every stream). */
    public String viewerToken(String subject, Duration ttl, List<String> streams) {
        return mint(subject, ttl, false, requireNonNull(streams, "streams"));
    }

    /** A broadcaster token for every stream. */
    public String broadcasterToken(String subject, Duration ttl) {
        return mint(subject, ttl, true, null);
    }

    /** A broadcaster token for {@code streams} only ({@code "*"} meaning every stream). */
    public String broadcasterToken(String subject, Duration ttl, List<String> streams) {
        return mint(subject, ttl, true, requireNonNull(streams, "streams"));
    }

    private String mint(String subject, Duration ttl, boolean broadcaster, List<String> streams) {
        requireNonNull(subject, "subject");
        requireNonNull(ttl, "ttl");
        if (subject.isBlank() || subject.length() > TokenFormat.MAX_SUBJECT_CHARS) {
            throw new IllegalArgumentException("subject: '" + subject + "' (expected: non-blank, at most " +
                                               TokenFormat.MAX_SUBJECT_CHARS + " characters)");
        }
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
        }

        final Instant now = clock.instant();
        final JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(ttl)));
        if (audience != null) {
            claims.audience(audience);
        }
        if (issuer != null) {
            claims.issuer(issuer);
        }
        if (broadcaster) {
            claims.claim(TokenFormat.ROLE, TokenFormat.BROADCASTER_ROLE);
        }
        if (streams != null) {
            claims.claim(TokenFormat.STREAMS, List.copyOf(streams));
        }

        final SignedJWT jwt = new SignedJWT(HEADER, claims.build());
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException(e); // HMAC with a checked key has no failure mode.
        }
        return jwt.serialize();
    }
}
