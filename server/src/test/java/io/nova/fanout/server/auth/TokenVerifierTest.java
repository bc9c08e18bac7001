package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

class TokenVerifierTest {

    // 64 bytes, so that HS512 can sign with the very same secret.
    private static final byte[] SECRET = "0123456789abcdef".repeat(4).getBytes(UTF_8);
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

    private final TokenVerifier verifier = new TokenVerifier(SECRET, CLOCK);

    @Test
    void acceptsViewerToken() {
        assertThat(verifier.verify(hs256(validClaims().build())))
                .isEqualTo(authenticated(new Principal("alice", StreamGrant.any(), false, NOW.plusSeconds(60))));
    }

    @Test
    void broadcasterRoleMakesBroadcaster() {
        assertThat(verifier.verify(hs256(validClaims().claim("role", "broadcaster").build())))
                .isEqualTo(authenticated(new Principal("alice", StreamGrant.any(), true, NOW.plusSeconds(60))));
    }

    @Test
    void anyOtherRoleIsViewer() {
        assertThat(principal(verifier.verify(hs256(validClaims().claim("role", "viewer").build())))
                .broadcaster()).isFalse();
    }

    @Test
    void nonStringRoleIsMalformed() {
        assertRejected(hs256(validClaims().claim("role", 1).build()), RejectReason.MALFORMED);
    }

    @Test
    void streamsArrayGrantsExactlyThoseStreams() {
        final StreamGrant grant = principal(verifier.verify(
                hs256(validClaims().claim("streams", List.of("a", "b")).build()))).grant();
        assertThat(grant).isEqualTo(StreamGrant.of(List.of("a", "b")));
        assertThat(grant.allows("a")).isTrue();
        assertThat(grant.allows("c")).isFalse();
    }

    @Test
    void streamsWildcardGrantsAny() {
        assertThat(principal(verifier.verify(hs256(validClaims().claim("streams", "*").build()))).grant())
                .isEqualTo(StreamGrant.any());
        assertThat(principal(verifier.verify(hs256(validClaims().claim("streams", List.of("a", "*")).build())))
                           .grant()).isEqualTo(StreamGrant.any());
    }

    @Test
    void emptyStreamsArrayGrantsNothing() {
        assertThat(principal(verifier.verify(hs256(validClaims().claim("streams", List.of()).build())))
                           .grant().allows("a")).isFalse();
    }

    @Test
    void streamsOfAnyOtherShapeIsMalformed() {
        assertRejected(hs256(validClaims().claim("streams", 42).build()), RejectReason.MALFORMED);
        assertRejected(hs256(validClaims().claim("streams", "a").build()), RejectReason.MALFORMED);
        assertRejected(hs256(validClaims().claim("streams", Map.of("a", true)).build()), RejectReason.MALFORMED);
        assertRejected(hs256(validClaims().claim("streams", List.of("a", 1)).build()), RejectReason.MALFORMED);
    }

    @Test
    void algNoneIsWrongAlgorithm() {
        final String header = base64Url("{\"alg\":\"none\"}");
        final String payload = base64Url("{\"sub\":\"alice\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + '}');
        assertRejected(header + '.' + payload + '.', RejectReason.WRONG_ALGORITHM);
    }

    @Test
    void otherHmacSizesAreWrongAlgorithmEvenWithTheRightSecret() throws JOSEException {
        for (JWSAlgorithm algorithm : List.of(JWSAlgorithm.HS384, JWSAlgorithm.HS512)) {
            final SignedJWT jwt = new SignedJWT(new JWSHeader(algorithm), validClaims().build());
            jwt.sign(new MACSigner(SECRET));
            assertRejected(jwt.serialize(), RejectReason.WRONG_ALGORITHM);
        }
    }

    @Test
    void rs256IsWrongAlgorithm() throws JOSEException {
        final RSAKey key = new RSAKeyGenerator(2048).generate();
        final SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), validClaims().build());
        jwt.sign(new RSASSASigner(key));
        assertRejected(jwt.serialize(), RejectReason.WRONG_ALGORITHM);
    }

    @Test
    void otherSecretIsBadSignature() {
        final byte[] otherSecret = "fedcba9876543210".repeat(2).getBytes(UTF_8);
        assertRejected(sign(otherSecret, validClaims().build()), RejectReason.BAD_SIGNATURE);
    }

    @Test
    void tamperedPayloadIsBadSignature() {
        final String[] parts = hs256(validClaims().build()).split("\\.");
        final String forged = base64Url("{\"sub\":\"mallory\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() +
                                        ",\"role\":\"broadcaster\"}");
        assertRejected(parts[0] + '.' + forged + '.' + parts[2], RejectReason.BAD_SIGNATURE);
    }

    @Test
    void strippedSignatureIsMalformed() {
        final String[] parts = hs256(validClaims().build()).split("\\.");
        assertRejected(parts[0] + '.' + parts[1] + '.', RejectReason.MALFORMED);
    }

    @ParameterizedTest
    @ValueSource(strings = { "garbage", "a.b", "a.b.c", "...", "eyJhbGciOiJIUzI1NiJ9.e30", "\u0000.\u0001.\u0002" })
    void unparseableIsMalformed(String token) {
        assertRejected(token, RejectReason.MALFORMED);
    }

    @Test
    void headerWithoutAlgIsMalformed() {
        assertRejected(base64Url("{\"typ\":\"JWT\"}") + '.' + base64Url("{}") + ".c2ln", RejectReason.MALFORMED);
    }

    @Test
    void signedPayloadThatIsNotAClaimsSetIsMalformed() {
        assertRejected(signRaw("[1,2,3]"), RejectReason.MALFORMED);
        assertRejected(signRaw("{\"sub\":\"alice\",\"exp\":\"tomorrow\"}"), RejectReason.MALFORMED);
    }

    @Test
    void tokenOverEightKibIsMalformedEvenIfValid() {
        final String token = hs256(validClaims().claim("padding", "x".repeat(7000)).build());
        assertThat(token.length()).isBetween(9 * 1024 - 200, 9 * 1024 + 600);
        assertRejected(token, RejectReason.MALFORMED);
    }

    @Test
    void largeTokenUnderTheLimitIsAccepted() {
        final String token = hs256(validClaims().claim("padding", "x".repeat(5500)).build());
        assertThat(token.length()).isLessThanOrEqualTo(TokenVerifier.MAX_TOKEN_CHARS);
        assertThat(verifier.verify(token)).isInstanceOf(AuthResult.Authenticated.class);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = { "", "   " })
    void absentTokenIsMissing(String token) {
        assertRejected(token, RejectReason.MISSING);
    }

    @Test
    void missingExpIsMissingClaim() {
        assertRejected(hs256(new JWTClaimsSet.Builder().subject("alice").build()), RejectReason.MISSING_CLAIM);
    }

    @Test
    void missingOrBlankSubIsMissingClaim() {
        assertRejected(hs256(validClaims().subject(null).build()), RejectReason.MISSING_CLAIM);
        assertRejected(hs256(validClaims().subject(" ").build()), RejectReason.MISSING_CLAIM);
    }

    @Test
    void subjectIsLimitedTo256Chars() {
        assertThat(principal(verifier.verify(hs256(validClaims().subject("s".repeat(256)).build()))).subject())
                .hasSize(256);
        assertRejected(hs256(validClaims().subject("s".repeat(257)).build()), RejectReason.MALFORMED);
    }

    @Test
    void expiryAllowsThirtySecondsOfSkew() {
        final String token = hs256(validClaims().expirationTime(Date.from(NOW)).build());
        assertThat(verifierAt(NOW.plusSeconds(29)).verify(token)).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(verifierAt(NOW.plusSeconds(30)).verify(token))
                .isEqualTo(new AuthResult.Rejected(RejectReason.EXPIRED));
        assertThat(verifierAt(NOW.plusSeconds(31)).verify(token))
                .isEqualTo(new AuthResult.Rejected(RejectReason.EXPIRED));
    }

    @Test
    void notBeforeAllowsThirtySecondsOfSkew() {
        assertThat(verifier.verify(hs256(validClaims().notBeforeTime(Date.from(NOW.plusSeconds(29))).build())))
                .isInstanceOf(AuthResult.Authenticated.class);
        assertRejected(hs256(validClaims().notBeforeTime(Date.from(NOW.plusSeconds(31))).build()),
                       RejectReason.NOT_YET_VALID);
    }

    @Test
    void timeComesFromTheInjectedClock() {
        final String token = hs256(validClaims().build()); // expires at NOW + 60 s
        final Clock later = Clock.offset(CLOCK, Duration.ofSeconds(60 + 31));
        assertThat(new TokenVerifier(SECRET, later).verify(token))
                .isEqualTo(new AuthResult.Rejected(RejectReason.EXPIRED));
    }

    @Test
    void refusesShortSecret() {
        assertThatThrownBy(() -> new TokenVerifier(new byte[12], CLOCK))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jwtSecret: 12 bytes (expected: >= 32 bytes)");
    }

    @Test
    void keepsItsOwnCopyOfTheSecret() {
        final byte[] secret = SECRET.clone();
        final TokenVerifier verifier = new TokenVerifier(secret, CLOCK);
        secret[0] ^= 1;
        assertThat(verifier.verify(hs256(validClaims().build()))).isInstanceOf(AuthResult.Authenticated.class);
    }

    private static JWTClaimsSet.Builder validClaims() {
        return new JWTClaimsSet.Builder()
                .subject("alice")
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(60)));
    }

    private static String hs256(JWTClaimsSet claims) {
        return sign(SECRET, claims);
    }

    private static String sign(byte[] secret, JWTClaimsSet claims) {
        final SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
        return jwt.serialize();
    }

    private static String signRaw(String payloadJson) {
        final JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payloadJson));
        try {
            jws.sign(new MACSigner(SECRET));
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
        return jws.serialize();
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(UTF_8));
    }

    private static TokenVerifier verifierAt(Instant now) {
        return new TokenVerifier(SECRET, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static AuthResult authenticated(Principal principal) {
        return new AuthResult.Authenticated(principal);
    }

    private static Principal principal(AuthResult result) {
        assertThat(result).isInstanceOf(AuthResult.Authenticated.class);
        return ((AuthResult.Authenticated) result).principal();
    }

    private void assertRejected(String token, RejectReason reason) {
        assertThat(verifier.verify(token)).isEqualTo(new AuthResult.Rejected(reason));
    }
}
