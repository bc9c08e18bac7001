package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.nova.fanout.server.testing.JwksFixture;

/** The verifier with JWKS keys: which algorithm meets which key, and the claims every token must pass. */
class TokenVerifierJwksTest {

    private static final byte[] SECRET = "0123456789abcdef".repeat(2).getBytes(UTF_8);
    private static final Instant NOW = Instant.parse("2030-01-01T00:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final RSAKey RSA = JwksFixture.rsaKey("rsa-1");
    private static final ECKey EC = JwksFixture.ecKey("ec-1");

    /** The JWKS keys' executor and every caller's event loop, on the test thread, with frozen time. */
    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final AtomicReference<String> document = new AtomicReference<>(JwksFixture.jwks(RSA, EC));
    private final JwksKeys jwks;

    TokenVerifierJwksTest() {
        loop.freezeTime();
        jwks = JwksKeys.start(() -> document.get().getBytes(UTF_8), "test", Duration.ofMinutes(5), loop.eventLoop(), false);
    }

    @AfterEach
    void tearDown() {
        jwks.close();
        loop.finishAndReleaseAll();
    }

    private TokenVerifier verifier() {
        return new TokenVerifier(null, jwks, null, null, CLOCK);
    }

    @Test
    void acceptsRs256AndEs256SignedByTheKeyTheirKidNames() {
        assertThat(verifier().verify(JwksFixture.sign(RSA, validClaims().build())))
                .isEqualTo(new AuthResult.Authenticated(new Principal("alice", StreamGrant.any(), false, NOW.plusSeconds(60))));
        assertThat(verifier().verify(JwksFixture.sign(EC, validClaims().claim("role", "broadcaster").build())))
                .isEqualTo(new AuthResult.Authenticated(new Principal("alice", StreamGrant.any(), true, NOW.plusSeconds(60))));
    }

    @Test
    void algNoneIsWrongAlgorithmWhateverIsConfigured() {
        final String unsigned = base64Url("{\"alg\":\"none\",\"kid\":\"rsa-1\"}") + '.' +
                                base64Url("{\"sub\":\"alice\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() + '}') + '.';
        assertThat(verifier().verify(unsigned)).isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
        assertThat(new TokenVerifier(SECRET, jwks, null, null, CLOCK).verify(unsigned))
                .isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
    }

    /** The classic confusion: an HS256 token whose HMAC key is the RSA public key, which anyone can read. */
    @Test
    void hs256SignedWithTheRsaPublicKeyIsRefused() throws JOSEException {
        final List<byte[]> encodings = List.of(
                RSA.toRSAPublicKey().getEncoded(),                         // X.509 DER
                JwksFixture.jwks(RSA).getBytes(UTF_8),                     // the JWKS document itself
                RSA.toPublicJWK().toJSONString().getBytes(UTF_8));         // the key's JWK
        for (byte[] publicKey : encodings) {
            final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-1").build(),
                                                validClaims().build());
            jwt.sign(new MACSigner(publicKey));
            // Without a secret HS256 has no key at all; with one, only that secret could have signed it.
            assertThat(verifier().verify(jwt.serialize())).isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
            assertThat(new TokenVerifier(SECRET, jwks, null, null, CLOCK).verify(jwt.serialize()))
                    .isEqualTo(rejected(RejectReason.BAD_SIGNATURE));
        }
    }

    /** A symmetric key published in the JWKS is public too: it must never verify anything. */
    @Test
    void octKeyInTheJwksNeverVerifiesHs256() throws JOSEException {
        final OctetSequenceKey oct = new OctetSequenceKey.Builder(SECRET).keyID("oct-1").build();
        document.set("{\"keys\":[" + RSA.toPublicJWK().toJSONString() + "," + oct.toJSONString() + "]}");
        refreshNow();
        assertThat(jwks.kids()).containsExactly("rsa-1");
        final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("oct-1").build(),
                                            validClaims().build());
        jwt.sign(new MACSigner(SECRET));
        assertThat(verifier().verify(jwt.serialize())).isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
    }

    @Test
    void hs256WithTheSecretStillWorksBesideTheJwks() {
        final TokenVerifier both = new TokenVerifier(SECRET, jwks, null, null, CLOCK);
        assertThat(both.verify(hs256(validClaims().build()))).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(both.verify(JwksFixture.sign(RSA, validClaims().build()))).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void rs256WithoutJwksIsWrongAlgorithm() {
        assertThat(new TokenVerifier(SECRET, CLOCK).verify(JwksFixture.sign(RSA, validClaims().build())))
                .isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
    }

    @Test
    void algorithmMustFitTheKeyTypeItsKidNames() {
        // The EC key's kid on an RS256 token (signed by the RSA key), and the RSA key's kid on an ES256 token.
        assertThat(verifier().verify(JwksFixture.sign(RSA, JWSAlgorithm.RS256, "ec-1", validClaims().build())))
                .isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
        assertThat(verifier().verify(JwksFixture.sign(EC, JWSAlgorithm.ES256, "rsa-1", validClaims().build())))
                .isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
    }

    @Test
    void otherAsymmetricAlgorithmsAreWrongAlgorithm() throws JOSEException {
        for (JWSAlgorithm algorithm : List.of(JWSAlgorithm.PS256, JWSAlgorithm.RS512, JWSAlgorithm.RS384)) {
            final SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID("rsa-1").build(), validClaims().build());
            jwt.sign(new RSASSASigner(RSA));
            assertThat(verifier().verify(jwt.serialize())).as(algorithm.getName()).isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
        }
        final SignedJWT es384 = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES384).keyID("ec-1").build(), validClaims().build());
        es384.sign(new ECDSASigner(new ECKeyGenerator(Curve.P_384).keyID("ec-1").generate()));
        assertThat(verifier().verify(es384.serialize())).isEqualTo(rejected(RejectReason.WRONG_ALGORITHM));
    }

    @Test
    void signatureOfAnotherKeyUnderAKnownKidIsBadSignature() {
        final RSAKey impostor = JwksFixture.rsaKey("rsa-1");
        final ECKey ecImpostor = JwksFixture.ecKey("ec-1");
        assertThat(verifier().verify(JwksFixture.sign(impostor, validClaims().build())))
                .isEqualTo(rejected(RejectReason.BAD_SIGNATURE));
        assertThat(verifier().verify(JwksFixture.sign(ecImpostor, validClaims().build())))
                .isEqualTo(rejected(RejectReason.BAD_SIGNATURE));
    }

    @Test
    void tamperedClaimsAreBadSignature() {
        final String[] parts = JwksFixture.sign(RSA, validClaims().build()).split("\\.");
        final String forged = base64Url("{\"sub\":\"mallory\",\"role\":\"broadcaster\",\"exp\":" +
                                        NOW.plusSeconds(60).getEpochSecond() + '}');
        assertThat(verifier().verify(parts[0] + '.' + forged + '.' + parts[2])).isEqualTo(rejected(RejectReason.BAD_SIGNATURE));
    }

    @Test
    void unknownKidIsUnknownKey() {
        assertThat(verifier().verify(JwksFixture.sign(RSA, JWSAlgorithm.RS256, "nobody", validClaims().build())))
                .isEqualTo(rejected(RejectReason.UNKNOWN_KEY));
    }

    @Test
    void missingKidIsMalformed() {
        assertThat(verifier().verify(JwksFixture.sign(RSA, JWSAlgorithm.RS256, null, validClaims().build())))
                .isEqualTo(rejected(RejectReason.MALFORMED));
    }

    @Test
    void expiryAndNotBeforeAllowThirtySecondsOfSkew() {
        final String expiredJustNow = JwksFixture.sign(EC, validClaims().expirationTime(Date.from(NOW.minusSeconds(29))).build());
        final String expiredLongAgo = JwksFixture.sign(EC, validClaims().expirationTime(Date.from(NOW.minusSeconds(31))).build());
        final String validSoon = JwksFixture.sign(EC, validClaims().notBeforeTime(Date.from(NOW.plusSeconds(29))).build());
        final String validLater = JwksFixture.sign(EC, validClaims().notBeforeTime(Date.from(NOW.plusSeconds(31))).build());
        assertThat(verifier().verify(expiredJustNow)).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(verifier().verify(expiredLongAgo)).isEqualTo(rejected(RejectReason.EXPIRED));
        assertThat(verifier().verify(validSoon)).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(verifier().verify(validLater)).isEqualTo(rejected(RejectReason.NOT_YET_VALID));
    }

    @Test
    void missingExpIsMissingClaim() {
        assertThat(verifier().verify(JwksFixture.sign(RSA, new JWTClaimsSet.Builder().subject("alice").build())))
                .isEqualTo(rejected(RejectReason.MISSING_CLAIM));
    }

    @Test
    void audienceWhenConfiguredMustBeAmongTheTokens() {
        final TokenVerifier expectsAudience = new TokenVerifier(SECRET, jwks, "nova", null, CLOCK);
        assertThat(expectsAudience.verify(JwksFixture.sign(RSA, validClaims().audience("nova").build())))
                .isInstanceOf(AuthResult.Authenticated.class);
        assertThat(expectsAudience.verify(JwksFixture.sign(RSA, validClaims().audience(List.of("billing", "nova")).build())))
                .isInstanceOf(AuthResult.Authenticated.class);
        assertThat(expectsAudience.verify(JwksFixture.sign(RSA, validClaims().audience("billing").build())))
                .isEqualTo(rejected(RejectReason.WRONG_AUDIENCE));
        assertThat(expectsAudience.verify(JwksFixture.sign(RSA, validClaims().build())))
                .isEqualTo(rejected(RejectReason.WRONG_AUDIENCE));
        assertThat(expectsAudience.verify(signRawHs256("{\"sub\":\"alice\",\"aud\":42,\"exp\":" +
                                                       NOW.plusSeconds(60).getEpochSecond() + "}")))
                .isEqualTo(rejected(RejectReason.MALFORMED));
        // The same rule for HS256 tokens.
        assertThat(expectsAudience.verify(hs256(validClaims().build()))).isEqualTo(rejected(RejectReason.WRONG_AUDIENCE));
        assertThat(expectsAudience.verify(hs256(validClaims().audience("nova").build())))
                .isInstanceOf(AuthResult.Authenticated.class);
        // Not configured: aud is not looked at.
        assertThat(verifier().verify(JwksFixture.sign(RSA, validClaims().audience("billing").build())))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void issuerWhenConfiguredMustBeTheTokens() {
        final TokenVerifier expectsIssuer = new TokenVerifier(null, jwks, null, "https://idp.example", CLOCK);
        assertThat(expectsIssuer.verify(JwksFixture.sign(EC, validClaims().issuer("https://idp.example").build())))
                .isInstanceOf(AuthResult.Authenticated.class);
        assertThat(expectsIssuer.verify(JwksFixture.sign(EC, validClaims().issuer("https://evil.example").build())))
                .isEqualTo(rejected(RejectReason.WRONG_ISSUER));
        assertThat(expectsIssuer.verify(JwksFixture.sign(EC, validClaims().build())))
                .isEqualTo(rejected(RejectReason.WRONG_ISSUER));
    }

    @Test
    void oversizeTokenIsMalformedBeforeAnyParsing() {
        final String token = JwksFixture.sign(RSA, validClaims().claim("padding", "x".repeat(8 * 1024)).build());
        assertThat(token.length()).isGreaterThan(TokenVerifier.MAX_TOKEN_CHARS);
        assertThat(verifier().verify(token)).isEqualTo(rejected(RejectReason.MALFORMED));
    }

    /**
     * Deeply nested JSON, where a recursive parser would overflow its stack: 10,000 arrays in a claim (over the
     * length cap), 1,000 in a claim of a validly signed token, 2,500 in the header (which is parsed before any
     * signature check, so anyone can send it). All on a thread with a 256 KiB stack, a fraction of an event
     * loop's, so that a parser that recursed per level would fail here first.
     */
    @Test
    void deeplyNestedJsonIsRefusedQuicklyWithoutStackOverflow() throws Exception {
        final String exp = ",\"exp\":" + NOW.plusSeconds(60).getEpochSecond();
        final List<String> tokens = List.of(
                signRawRs256("{\"sub\":\"alice\"" + exp + ",\"x\":" + nested(10_000) + "}"),
                signRawRs256("{\"sub\":\"alice\"" + exp + ",\"x\":" + nested(1_000) + "}"),
                base64Url("{\"alg\":\"RS256\",\"kid\":\"rsa-1\",\"x\":" + nested(2_500) + "}") + '.' +
                base64Url("{\"sub\":\"alice\"" + exp + "}") + ".c2ln");
        assertThat(tokens.get(0).length()).isGreaterThan(TokenVerifier.MAX_TOKEN_CHARS);
        assertThat(tokens.get(1).length()).isLessThan(TokenVerifier.MAX_TOKEN_CHARS);
        assertThat(tokens.get(2).length()).isLessThan(TokenVerifier.MAX_TOKEN_CHARS);

        final TokenVerifier verifier = verifier();
        final AtomicReference<Object> outcome = new AtomicReference<>();
        final Thread smallStack = new Thread(null, () -> {
            try {
                outcome.set(tokens.stream().map(verifier::verify).toList());
            } catch (Throwable t) {
                outcome.set(t);
            }
        }, "small-stack", 256 * 1024);
        final long start = System.nanoTime();
        smallStack.start();
        smallStack.join(TimeUnit.SECONDS.toMillis(30));
        assertThat(smallStack.isAlive()).isFalse();
        assertThat(outcome.get()).isEqualTo(List.of(rejected(RejectReason.MALFORMED), rejected(RejectReason.MALFORMED),
                                                    rejected(RejectReason.MALFORMED)));
        // Milliseconds in practice; the bound only rules out a parser that does real work per byte.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shallowNestingInAnUnusedClaimIsFine() {
        assertThat(verifier().verify(signRawRs256("{\"sub\":\"alice\",\"exp\":" + NOW.plusSeconds(60).getEpochSecond() +
                                                  ",\"x\":" + nested(20) + "}")))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void unknownKidWaitsForOneReadAndThenVerifiesWithTheNewKey() {
        final RSAKey rotated = JwksFixture.rsaKey("rsa-2");
        final String token = JwksFixture.sign(rotated, validClaims().build());
        document.set(JwksFixture.jwks(RSA, rotated));
        loop.advanceTimeBy(jwks.minInterval().toNanos(), TimeUnit.NANOSECONDS);

        final Future<AuthResult> result = verifier().verify(token, loop.eventLoop());
        assertThat(result.isDone()).isFalse();
        loop.runPendingTasks(); // the read, then the second verification on the caller's loop
        assertThat(result.isDone()).isTrue();
        assertThat(result.getNow()).isInstanceOf(AuthResult.Authenticated.class);
        assertThat(jwks.fetches()).isEqualTo(2);
    }

    @Test
    void unknownKidRightAfterAReadIsRefusedAtOnceAndLearnedAtTheIntervalsEnd() {
        final RSAKey rotated = JwksFixture.rsaKey("rsa-2");
        final String token = JwksFixture.sign(rotated, validClaims().build());
        document.set(JwksFixture.jwks(RSA, rotated));

        final Future<AuthResult> refused = verifier().verify(token, loop.eventLoop());
        assertThat(refused.isDone()).isTrue();
        assertThat(refused.getNow()).isEqualTo(rejected(RejectReason.UNKNOWN_KEY));
        assertThat(jwks.fetches()).isEqualTo(1);

        loop.advanceTimeBy(jwks.minInterval().toNanos(), TimeUnit.NANOSECONDS);
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
        assertThat(jwks.fetches()).isEqualTo(2);
        assertThat(verifier().verify(token, loop.eventLoop()).getNow()).isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void aKidStillUnknownAfterTheReadIsRefusedWithoutAnotherRead() {
        loop.advanceTimeBy(jwks.minInterval().toNanos(), TimeUnit.NANOSECONDS);
        final Future<AuthResult> result = verifier().verify(
                JwksFixture.sign(RSA, JWSAlgorithm.RS256, "nobody", validClaims().build()), loop.eventLoop());
        loop.runPendingTasks();
        assertThat(result.getNow()).isEqualTo(rejected(RejectReason.UNKNOWN_KEY));
        assertThat(jwks.fetches()).isEqualTo(2);
        loop.runPendingTasks();
        assertThat(jwks.fetches()).isEqualTo(2);
    }

    @Test
    void knownKeysNeverWait() {
        loop.advanceTimeBy(jwks.minInterval().toNanos(), TimeUnit.NANOSECONDS);
        final Future<AuthResult> result = verifier().verify(JwksFixture.sign(EC, validClaims().build()), loop.eventLoop());
        assertThat(result.isDone()).isTrue();
        assertThat(result.getNow()).isInstanceOf(AuthResult.Authenticated.class);
        final Future<AuthResult> badSignature = verifier().verify(
                JwksFixture.sign(JwksFixture.ecKey("ec-1"), validClaims().build()), loop.eventLoop());
        assertThat(badSignature.getNow()).isEqualTo(rejected(RejectReason.BAD_SIGNATURE));
        loop.runPendingTasks();
        assertThat(jwks.fetches()).isEqualTo(1);
    }

    private void refreshNow() {
        loop.advanceTimeBy(jwks.minInterval().toNanos(), TimeUnit.NANOSECONDS);
        assertThat(jwks.refreshForUnknownKey()).isNotNull();
        loop.runPendingTasks();
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static JWTClaimsSet.Builder validClaims() {
        return new JWTClaimsSet.Builder()
                .subject("alice")
                .issueTime(Date.from(NOW))
                .expirationTime(Date.from(NOW.plusSeconds(60)));
    }

    private static String hs256(JWTClaimsSet claims) {
        final SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
        try {
            jwt.sign(new MACSigner(SECRET));
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
        return jwt.serialize();
    }

    private static String signRawHs256(String payloadJson) {
        final JWSObject jws = new JWSObject(new JWSHeader(JWSAlgorithm.HS256), new Payload(payloadJson));
        try {
            jws.sign(new MACSigner(SECRET));
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
        return jws.serialize();
    }

    private static String signRawRs256(String payloadJson) {
        final JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
                                            new Payload(payloadJson));
        try {
            jws.sign(new RSASSASigner(RSA));
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
        return jws.serialize();
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(UTF_8));
    }

    private static AuthResult rejected(RejectReason reason) {
        return new AuthResult.Rejected(reason);
    }
}
