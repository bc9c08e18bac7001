package io.nova.fanout.server.tls;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.nova.fanout.server.testing.TestCertificate;
import io.nova.fanout.server.testing.TestCertificate.KeyType;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLEngine;
import org.junit.jupiter.api.Test;

class TlsMaterialTest {
    private static final Path CERT_PATH = Path.of("/etc/nova/cert.pem");
    private static final Path KEY_PATH = Path.of("/etc/nova/key.pem");
    private static final TestCertificate EC = TestCertificate.selfSigned("nova.example", "127.0.0.1");
    private static final TestCertificate OTHER = TestCertificate.selfSigned("other.example");

    private static TlsMaterial.PemFile cert(String pem) {
        return new TlsMaterial.PemFile("tlsCert", CERT_PATH, pem.getBytes(US_ASCII));
    }

    private static TlsMaterial.PemFile key(String pem) {
        return new TlsMaterial.PemFile("tlsKey", KEY_PATH, pem.getBytes(US_ASCII));
    }

    @Test
    void aMatchingPairServesTls13And12WithForwardSecretAeadSuitesOnly() {
        TlsMaterial material = TlsMaterial.of(cert(EC.certificatePem()), key(EC.pkcs8KeyPem()));

        assertThat(material.certificate()).isEqualTo(EC.certificate());
        assertThat(material.describe()).startsWith("CN=nova.example,O=Nova Fanout tests, serial ")
                .contains(", valid until " + EC.certificate().getNotAfter().toInstant());
        SSLEngine engine = material.context().newEngine(UnpooledByteBufAllocator.DEFAULT);
        assertThat(engine.getUseClientMode()).isFalse();
        assertThat(engine.getEnabledProtocols()).containsExactlyInAnyOrder("TLSv1.3", "TLSv1.2");
        assertThat(engine.getEnabledCipherSuites()).isNotEmpty().allSatisfy(suite ->
                assertThat(TlsMaterial.CIPHERS).contains(suite));
        assertThat(engine.getEnabledCipherSuites()).contains("TLS_AES_128_GCM_SHA256",
                "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256");
    }

    @Test
    void keysInEveryCommonPemFormReadAndMatch() {
        TestCertificate rsa = TestCertificate.selfSigned(KeyType.RSA, Instant.now(),
                Instant.now().plus(Duration.ofDays(1)), "rsa.example");
        TestCertificate ed25519 = TestCertificate.selfSigned(KeyType.ED25519, Instant.now(),
                Instant.now().plus(Duration.ofDays(1)), "ed.example");
        assertThat(rsa.traditionalKeyPem()).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(EC.traditionalKeyPem()).startsWith("-----BEGIN EC PRIVATE KEY-----");

        assertThat(TlsMaterial.of(cert(rsa.certificatePem()), key(rsa.pkcs8KeyPem())).certificate())
                .isEqualTo(rsa.certificate());
        assertThat(TlsMaterial.of(cert(rsa.certificatePem()), key(rsa.traditionalKeyPem())).certificate())
                .isEqualTo(rsa.certificate());
        assertThat(TlsMaterial.of(cert(EC.certificatePem()), key(EC.traditionalKeyPem())).certificate())
                .isEqualTo(EC.certificate());
        assertThat(TlsMaterial.of(cert(ed25519.certificatePem()), key(ed25519.pkcs8KeyPem())).certificate())
                .isEqualTo(ed25519.certificate());
    }

    @Test
    void aCombinedFileServesAsBothCertificateAndKey() {
        String combined = EC.traditionalKeyPem() + EC.certificatePem();
        TlsMaterial material = TlsMaterial.of(cert(combined), key(combined));
        assertThat(material.certificate()).isEqualTo(EC.certificate());
    }

    @Test
    void aFullChainServesItsLeafAndAChainThatDoesNotLinkIsRefused() {
        TestCertificate authority = TestCertificate.authority("Nova Test CA");
        TestCertificate leaf = authority.issue("nova.example");
        TlsMaterial material = TlsMaterial.of(cert(leaf.certificatePem() + authority.certificatePem()),
                key(leaf.pkcs8KeyPem()));
        assertThat(material.certificate()).isEqualTo(leaf.certificate());

        assertThatThrownBy(() -> TlsMaterial.of(cert(leaf.certificatePem() + OTHER.certificatePem()),
                key(leaf.pkcs8KeyPem())))
                .hasMessage("tlsCert: /etc/nova/cert.pem: no TLS context can be built from it and tlsKey " +
                            "(Certificate chain is not valid)");
    }

    @Test
    void aKeyOfAnotherCertificateIsRefusedNamingBothSettings() {
        assertThatThrownBy(() -> TlsMaterial.of(cert(EC.certificatePem()), key(OTHER.pkcs8KeyPem())))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tlsKey: /etc/nova/key.pem: the private key does not belong to the first certificate " +
                            "of tlsCert /etc/nova/cert.pem (expected: the key of the server's certificate, which " +
                            "comes first, as in fullchain.pem)");
        TestCertificate rsa = TestCertificate.selfSigned(KeyType.RSA, Instant.now(),
                Instant.now().plus(Duration.ofDays(1)), "rsa.example");
        assertThatThrownBy(() -> TlsMaterial.of(cert(EC.certificatePem()), key(rsa.pkcs8KeyPem())))
                .hasMessageContaining("does not belong");
        // The chain in the wrong order: the key's certificate is not the first.
        assertThatThrownBy(() -> TlsMaterial.of(cert(OTHER.certificatePem() + EC.certificatePem()),
                key(EC.pkcs8KeyPem()))).hasMessageContaining("does not belong");
    }

    @Test
    void brokenFilesAreRefusedWithWhatIsWrongAndNeverTheKey() {
        String certPem = EC.certificatePem();
        String keyPem = EC.pkcs8KeyPem();
        assertThatThrownBy(() -> TlsMaterial.of(cert("not a certificate"), key(keyPem)))
                .hasMessage("tlsCert: /etc/nova/cert.pem: no PEM certificate in it (expected: -----BEGIN " +
                            "CERTIFICATE----- blocks, the server's certificate first)");
        // Half written: the end marker is there (an editor's save), the middle is not.
        String[] lines = certPem.split("\n");
        String truncated = String.join("\n", java.util.Arrays.copyOf(lines, lines.length / 2))
                           + "\n-----END CERTIFICATE-----\n";
        assertThatThrownBy(() -> TlsMaterial.of(cert(truncated), key(keyPem)))
                .hasMessageStartingWith("tlsCert: /etc/nova/cert.pem: certificate 1 cannot be read (");
        assertThatThrownBy(() -> TlsMaterial.of(cert(certPem), key(certPem)))
                .hasMessage("tlsKey: /etc/nova/key.pem: no PEM private key in it (expected: -----BEGIN PRIVATE " +
                            "KEY-----, RSA PRIVATE KEY or EC PRIVATE KEY)");
        assertThatThrownBy(() -> TlsMaterial.of(cert(certPem), key(keyPem + OTHER.pkcs8KeyPem())))
                .hasMessage("tlsKey: /etc/nova/key.pem: more than one private key in it (expected: exactly one)");
        assertThatThrownBy(() -> TlsMaterial.of(cert(certPem),
                key(keyPem.replace("PRIVATE KEY", "ENCRYPTED PRIVATE KEY"))))
                .hasMessageStartingWith("tlsKey: /etc/nova/key.pem: the private key is encrypted");
        String corrupt = keyPem.replace(keyPem.substring(40, 60), "A".repeat(20));
        assertThatThrownBy(() -> TlsMaterial.of(cert(certPem), key(corrupt)))
                .hasMessage("tlsKey: /etc/nova/key.pem: the private key cannot be read (expected: an RSA, EC or " +
                            "Ed25519 key)");
        String base64OfKey = keyPem.split("\n")[1];
        for (String broken : new String[] {corrupt, keyPem + OTHER.pkcs8KeyPem()}) {
            assertThatThrownBy(() -> TlsMaterial.of(cert(certPem), key(broken)))
                    .satisfies(e -> assertThat(e.getMessage()).doesNotContain(base64OfKey.substring(0, 16)));
        }
    }

    @Test
    void anEcKeyWithoutItsCurveIsRefused() {
        // SEQUENCE { INTEGER 1, OCTET STRING (32 bytes) }: valid SEC1, but no [0] parameters.
        byte[] sec1 = Pem.der(0x30, concat(new byte[] {0x02, 0x01, 0x01}, Pem.der(0x04, new byte[32])));
        String pem = "-----BEGIN EC PRIVATE KEY-----\n" + java.util.Base64.getEncoder().encodeToString(sec1) +
                     "\n-----END EC PRIVATE KEY-----\n";
        assertThatThrownBy(() -> TlsMaterial.of(cert(EC.certificatePem()), key(pem)))
                .hasMessageStartingWith("tlsKey: /etc/nova/key.pem: the EC private key does not name its curve");
        String garbage = "-----BEGIN EC PRIVATE KEY-----\nMAMCAQ==\n-----END EC PRIVATE KEY-----\n";
        assertThatThrownBy(() -> TlsMaterial.of(cert(EC.certificatePem()), key(garbage)))
                .hasMessage("tlsKey: /etc/nova/key.pem: the EC private key is not valid DER");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
