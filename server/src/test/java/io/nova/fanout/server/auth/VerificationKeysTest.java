package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.text.ParseException;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetSequenceKey;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;

import io.nova.fanout.server.testing.JwksFixture;

class VerificationKeysTest {

    private static final RSAKey RSA = JwksFixture.rsaKey("rsa");
    private static final ECKey EC = JwksFixture.ecKey("ec");

    @Test
    void rsaVerifiesRs256OnlyAndP256VerifiesEs256Only() throws ParseException {
        final VerificationKeys keys = parse(JwksFixture.jwks(RSA, EC));
        assertThat(keys.kids()).containsExactlyInAnyOrder("rsa", "ec");
        assertThat(keys.find("rsa", JWSAlgorithm.RS256)).hasSize(1);
        assertThat(keys.find("rsa", JWSAlgorithm.PS256)).isEmpty();
        assertThat(keys.find("rsa", JWSAlgorithm.ES256)).isEmpty();
        assertThat(keys.find("ec", JWSAlgorithm.ES256)).hasSize(1);
        assertThat(keys.find("ec", JWSAlgorithm.RS256)).isEmpty();
        assertThat(keys.find("other", JWSAlgorithm.RS256)).isEmpty();
        assertThat(keys.notes()).isEmpty();
    }

    @Test
    void keysThatDoNotFitOurPolicyAreIgnoredWithTheReason() throws Exception {
        final String document = "{\"keys\":[" + String.join(",",
                json(new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("no-alg-no-use").build()),
                json(new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("ps256").algorithm(JWSAlgorithm.PS256).build()),
                json(new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("enc").keyUse(KeyUse.ENCRYPTION).build()),
                json(new RSAKey.Builder(RSA.toRSAPublicKey()).keyID("sign-only").keyOperations(Set.of(KeyOperation.SIGN)).build()),
                json(new RSAKey.Builder(RSA.toRSAPublicKey()).algorithm(JWSAlgorithm.RS256).build()),
                json(new RSAKeyGenerator(1024, true).keyID("short").generate().toPublicJWK()),
                json(new ECKeyGenerator(Curve.P_384).keyID("p384").generate().toPublicJWK()),
                json(new ECKey.Builder(EC).keyID("es384").algorithm(JWSAlgorithm.ES384).build().toPublicJWK()),
                json(new OctetSequenceKey.Builder(new byte[32]).keyID("oct").build())) + "]}";
        final VerificationKeys keys = parse(document);
        assertThat(keys.kids()).containsExactly("no-alg-no-use");
        assertThat(keys.notes()).containsExactly(
                "ps256: ignored, alg PS256 (expected: absent or RS256)",
                "enc: ignored, use enc (expected: absent or sig)",
                "sign-only: ignored, key_ops [sign] (expected: absent or including verify)",
                "(no kid): ignored, no kid",
                "short: ignored, 1024-bit RSA (expected: >= 2048 bits)",
                "p384: ignored, unsupported key type EC on curve P-384 (expected: RSA or EC P-256)",
                "es384: ignored, alg ES384 (expected: absent or ES256)",
                "oct: ignored, unsupported key type oct (expected: RSA or EC P-256)");
    }

    @Test
    void aPublishedPrivateKeyIsUsedByItsPublicHalfAndNoted() throws ParseException {
        final VerificationKeys keys = parse("{\"keys\":[" + RSA.toJSONString() + "]}");
        assertThat(keys.find("rsa", JWSAlgorithm.RS256)).hasSize(1);
        assertThat(keys.notes()).containsExactly(
                "rsa: holds private key material, which a JWKS must not publish; only its public part is used");
    }

    @Test
    void twoKeysUnderOneKidAreBothCandidates() throws ParseException {
        final VerificationKeys keys = parse(JwksFixture.jwks(RSA, JwksFixture.rsaKey("rsa"), JwksFixture.ecKey("rsa")));
        assertThat(keys.find("rsa", JWSAlgorithm.RS256)).hasSize(2);
        assertThat(keys.find("rsa", JWSAlgorithm.ES256)).hasSize(1);
        assertThat(keys.size()).isEqualTo(3);
    }

    @Test
    void anythingButAJwksDocumentIsAParseException() {
        for (String document : List.of("", "not json", "[]", "{\"keys\":{}}", "{\"keys\":[{\"kty\":\"RSA\",\"n\":1}]}",
                                       "{\"keys\":[" + "[".repeat(5000) + "]".repeat(5000) + "]}")) {
            assertThatThrownBy(() -> parse(document)).as(document.length() > 50 ? "deeply nested" : document)
                    .isInstanceOf(ParseException.class);
        }
    }

    @Test
    void anEmptyKeySetParsesToNoKeys() throws ParseException {
        assertThat(parse("{\"keys\":[]}").size()).isZero();
    }

    private static VerificationKeys parse(String document) throws ParseException {
        return VerificationKeys.parse(document.getBytes(UTF_8));
    }

    private static String json(com.nimbusds.jose.jwk.JWK key) {
        return key.toJSONString();
    }
}
