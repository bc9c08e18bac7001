package io.nova.fanout.server.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * A certificate chain and its private key, checked against each other, and the server {@link SslContext}
 * built from them: JDK provider, TLS 1.3 and 1.2 only, forward-secret AEAD cipher suites only (Mozilla's
 * "intermediate" profile). Immutable; a reload builds a new one.
 */
public final class TlsMaterial {
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    static final List<String> CIPHERS = List.of(
            "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");

    /** One of the two files: the setting that named it, its path and the bytes read from it. */
    public record PemFile(String setting, Path path, byte[] bytes) {
        String problem(String what) {
            return setting + ": " + path + ": " + what;
        }
    }

    private final SslContext context;
    private final X509Certificate certificate;

    private TlsMaterial(SslContext context, X509Certificate certificate) {
        this.context = context;
        this.certificate = certificate;
    }

    /**
     * Reads and checks the pair and builds its context.
     *
     * @throws IllegalArgumentException naming the setting and the file at fault, never quoting the key
     */
    public static TlsMaterial of(PemFile certificateFile, PemFile keyFile) {
        List<X509Certificate> chain;
        PrivateKey key;
        try {
            chain = Pem.certificates(certificateFile.bytes());
        } catch (Pem.Problem p) {
            throw new IllegalArgumentException(certificateFile.problem(p.getMessage()));
        }
        try {
            key = Pem.privateKey(keyFile.bytes());
        } catch (Pem.Problem p) {
            throw new IllegalArgumentException(keyFile.problem(p.getMessage()));
        }
        if (!matches(key, chain.get(0).getPublicKey())) {
            throw new IllegalArgumentException(keyFile.problem("the private key does not belong to the first " +
                    "certificate of " + certificateFile.setting() + ' ' + certificateFile.path() +
                    " (expected: the key of the server's certificate, which comes first, as in fullchain.pem)"));
        }
        try {
            SslContext context = SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .build();
            return new TlsMaterial(context, chain.get(0));
        } catch (SSLException | IllegalArgumentException e) {
            Throwable root = e;
            while (root.getCause() != null) {
                root = root.getCause();
            }
            throw new IllegalArgumentException(certificateFile.problem("no TLS context can be built from it and " +
                    keyFile.setting() + " (" + root.getMessage() + ')'), e);
        }
    }

    /** The context new connections get their {@code SslHandler} from. */
    public SslContext context() {
        return context;
    }

    /** The server's own certificate, the first of the chain. */
    public X509Certificate certificate() {
        return certificate;
    }

    public Instant notAfter() {
        return certificate.getNotAfter().toInstant();
    }

    /** Subject, serial number and validity end, for logs and {@code /status}. */
    public String describe() {
        return certificate.getSubjectX500Principal().getName() + ", serial " +
               certificate.getSerialNumber().toString(16) + ", valid until " + notAfter();
    }

    /** Whether {@code key} is the private half of {@code publicKey}: a signature made with one verifies with the other. */
    static boolean matches(PrivateKey key, PublicKey publicKey) {
        if (key instanceof RSAKey rsa && publicKey instanceof RSAKey rsaPublic) {
            return rsa.getModulus().equals(rsaPublic.getModulus());
        }
        String algorithm = switch (key.getAlgorithm()) {
            case "EC" -> "SHA256withECDSA";
            case "EdDSA", "Ed25519", "Ed448" -> "EdDSA";
            default -> null;
        };
        if (algorithm == null || !key.getAlgorithm().equals(publicKey.getAlgorithm())) {
            return false;
        }
        try {
            byte[] challenge = new byte[32];
            new SecureRandom().nextBytes(challenge);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(challenge);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(challenge);
            return verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
