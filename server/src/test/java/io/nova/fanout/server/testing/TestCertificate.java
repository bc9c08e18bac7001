package io.nova.fanout.server.testing;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A self-signed server certificate made for one test with Bouncy Castle (test scope only): a fresh key pair,
 * the given subject alternative names (host names, or IP literals), and the PEM files a server reads.
 */
public record TestCertificate(X509Certificate certificate, KeyPair keys) {
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The key types a test may ask for. */
    public enum KeyType { EC, RSA, ED25519 }

    /** An EC P-256 certificate for {@code names}, valid from an hour ago for a day. */
    public static TestCertificate selfSigned(String... names) {
        Instant now = Instant.now();
        return selfSigned(KeyType.EC, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), names);
    }

    public static TestCertificate selfSigned(KeyType type, Instant notBefore, Instant notAfter, String... names) {
        return create(type, null, false, notBefore, notAfter, names);
    }

    /** A certificate authority that can sign {@link #issue server certificates}, for chains. */
    public static TestCertificate authority(String name) {
        Instant now = Instant.now();
        return create(KeyType.EC, null, true, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(2)), name);
    }

    /** A server certificate for {@code names} signed by this authority. */
    public TestCertificate issue(String... names) {
        Instant now = Instant.now();
        return create(KeyType.EC, this, false, now.minus(Duration.ofHours(1)), now.plus(Duration.ofDays(1)), names);
    }

    private static TestCertificate create(KeyType type, TestCertificate issuer, boolean authority, Instant notBefore,
            Instant notAfter, String... names) {
        try {
            KeyPair keys = switch (type) {
                case EC -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
                    generator.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
                    yield generator.generateKeyPair();
                }
                case RSA -> {
                    KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
                    generator.initialize(2048, RANDOM);
                    yield generator.generateKeyPair();
                }
                case ED25519 -> KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            };
            X500Principal subject = new X500Principal("CN=" + names[0] + ", O=Nova Fanout tests");
            X500Principal issuerName = issuer == null ? subject : issuer.certificate.getSubjectX500Principal();
            X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(issuerName,
                    new BigInteger(64, RANDOM).add(BigInteger.ONE), Date.from(notBefore), Date.from(notAfter),
                    subject, keys.getPublic());
            if (authority) {
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            } else {
                List<GeneralName> alternatives = new ArrayList<>();
                for (String name : names) {
                    boolean ip = name.matches("[0-9.]+") || name.contains(":");
                    alternatives.add(new GeneralName(ip ? GeneralName.iPAddress : GeneralName.dNSName, name));
                }
                builder.addExtension(Extension.subjectAlternativeName, false,
                        new GeneralNames(alternatives.toArray(GeneralName[]::new)));
                builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            }
            PrivateKey signingKey = issuer == null ? keys.getPrivate() : issuer.keys.getPrivate();
            String algorithm = switch (signingKey.getAlgorithm()) {
                case "EC" -> "SHA256withECDSA";
                case "RSA" -> "SHA256withRSA";
                default -> "Ed25519";
            };
            X509Certificate certificate = new JcaX509CertificateConverter().getCertificate(
                    builder.build(new JcaContentSignerBuilder(algorithm).build(signingKey)));
            return new TestCertificate(certificate, keys);
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a test certificate", e);
        }
    }

    public String certificatePem() {
        try {
            return pem("CERTIFICATE", certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** {@code BEGIN PRIVATE KEY}: PKCS#8. */
    public String pkcs8KeyPem() {
        return pem("PRIVATE KEY", keys.getPrivate().getEncoded());
    }

    /**
     * OpenSSL's traditional form: {@code BEGIN RSA PRIVATE KEY} (PKCS#1) or {@code BEGIN EC PRIVATE KEY} (SEC1,
     * naming its curve as {@code openssl ecparam -genkey} does; the JDK's own encoding leaves it out).
     */
    public String traditionalKeyPem() {
        if (keys.getPrivate().getAlgorithm().equals("EC")) {
            PrivateKeyInfo info = PrivateKeyInfo.getInstance(keys.getPrivate().getEncoded());
            try {
                ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
                ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(), inner.getPublicKey(),
                        info.getPrivateKeyAlgorithm().getParameters());
                return pem("EC PRIVATE KEY", withCurve.getEncoded());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        StringWriter out = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
            writer.writeObject(keys.getPrivate());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** Writes the certificate and the PKCS#8 key, each by an atomic rename, as a careful renewal does. */
    public void writeTo(Path certificateFile, Path keyFile) {
        writeAtomically(certificateFile, certificatePem());
        writeAtomically(keyFile, pkcs8KeyPem());
    }

    public static void writeAtomically(Path file, String text) {
        try {
            Path temporary = Files.createTempFile(file.toAbsolutePath().getParent(), ".tmp-", ".pem");
            Files.writeString(temporary, text, US_ASCII);
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A client context that trusts exactly {@code trusted}, and nothing else (not even the JDK's CAs). */
    public static SSLContext clientTrusting(X509Certificate... trusted) {
        try {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            for (int i = 0; i < trusted.length; i++) {
                store.setCertificateEntry("trusted-" + i, trusted[i]);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), RANDOM);
            return context;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String pem(String label, byte[] der) {
        return "-----BEGIN " + label + "-----\n" +
               Base64.getMimeEncoder(64, "\n".getBytes(US_ASCII)).encodeToString(der) +
               "\n-----END " + label + "-----\n";
    }
}
