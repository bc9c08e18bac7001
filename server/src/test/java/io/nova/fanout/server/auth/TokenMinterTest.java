package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

class TokenMinterTest {

    private static final byte[] SECRET = "a-secret-of-exactly-32-bytes-!!!".getBytes(UTF_8);
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private static final Instant IN_5_MINUTES = NOW.plus(Duration.ofMinutes(5));

    private final TokenMinter minter = new TokenMinter(SECRET, CLOCK);
    private final TokenVerifier verifier = new TokenVerifier(SECRET, CLOCK);

    @Test
    void viewerTokenVerifiesAsViewerOfAnyStream() {
        assertThat(verifier.verify(minter.viewerToken("alice", Duration.ofMinutes(5))))
                .isEqualTo(new AuthResult.Authenticated(new Principal("alice", StreamGrant.any(), false, IN_5_MINUTES)));
    }

    @Test
    void broadcasterTokenVerifiesAsBroadcaster() {
        assertThat(verifier.verify(minter.broadcasterToken("studio", Duration.ofMinutes(5))))
                .isEqualTo(new AuthResult.Authenticated(new Principal("studio", StreamGrant.any(), true, IN_5_MINUTES)));
    }

    @Test
    void streamsAreCarriedIntoTheGrant() {
        assertThat(verifier.verify(minter.viewerToken("alice", Duration.ofMinutes(5), List.of("a", "b"))))
                .isEqualTo(new AuthResult.Authenticated(
                        new Principal("alice", StreamGrant.of(List.of("a", "b")), false, IN_5_MINUTES)));
        assertThat(verifier.verify(minter.broadcasterToken("studio", Duration.ofMinutes(5), List.of("a"))))
                .isEqualTo(new AuthResult.Authenticated(
                        new Principal("studio", StreamGrant.of(List.of("a")), true, IN_5_MINUTES)));
    }

    @Test
    void headerAndTimesComeFromTheClock() throws ParseException {
        final SignedJWT jwt = SignedJWT.parse(minter.viewerToken("alice", Duration.ofMinutes(5)));
        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
        assertThat(jwt.getHeader().getType()).isEqualTo(JOSEObjectType.JWT);
        assertThat(jwt.getJWTClaimsSet().getIssueTime().toInstant()).isEqualTo(NOW);
        assertThat(jwt.getJWTClaimsSet().getExpirationTime().toInstant()).isEqualTo(NOW.plusSeconds(300));
        assertThat(jwt.getJWTClaimsSet().getClaim("role")).isNull();
    }

    @Test
    void tokenExpiresAfterItsTtl() {
        final String token = minter.viewerToken("alice", Duration.ofMinutes(5));
        final TokenVerifier later = new TokenVerifier(SECRET, Clock.offset(CLOCK, Duration.ofSeconds(300 + 31)));
        assertThat(later.verify(token)).isEqualTo(new AuthResult.Rejected(RejectReason.EXPIRED));
    }

    @Test
    void refusesWhatTheVerifierWouldRefuse() {
        assertThatThrownBy(() -> new TokenMinter(new byte[31], CLOCK))
                .hasMessage("jwtSecret: 31 bytes (expected: >= 32 bytes)");
        assertThatThrownBy(() -> minter.viewerToken(" ", Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.viewerToken("s".repeat(257), Duration.ofMinutes(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> minter.viewerToken("alice", Duration.ZERO))
                .hasMessage("ttl: PT0S (expected: > 0)");
    }

    @Test
    void audienceAndIssuerAreMintedWhenGiven() throws Exception {
        final TokenMinter checked = new TokenMinter(SECRET, "nova", "https://idp.example", CLOCK);
        final JWTClaimsSet claims = SignedJWT.parse(checked.viewerToken("alice", Duration.ofMinutes(5))).getJWTClaimsSet();
        assertThat(claims.getAudience()).containsExactly("nova");
        assertThat(claims.getIssuer()).isEqualTo("https://idp.example");
        assertThat(new TokenVerifier(SECRET, null, "nova", "https://idp.example", CLOCK)
                .verify(checked.broadcasterToken("b", Duration.ofMinutes(5)))).isInstanceOf(AuthResult.Authenticated.class);
        final JWTClaimsSet plain = SignedJWT.parse(minter.viewerToken("alice", Duration.ofMinutes(5))).getJWTClaimsSet();
        assertThat(plain.getAudience()).isEmpty();
        assertThat(plain.getIssuer()).isNull();
    }
}
