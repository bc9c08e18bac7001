package io.nova.fanout.server.tls;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads PEM certificates and private keys with the JDK alone. Keys may be PKCS#8 ({@code PRIVATE KEY}, what
 * {@code openssl genpkey} and certbot write), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY},
 * what cert-manager and {@code openssl ecparam -genkey} write); the last two are rewrapped as PKCS#8, which is
 * all the JDK reads. Problems are returned as messages that never quote the key's contents.
 */
final class Pem {
    private static final Pattern BLOCK = Pattern.compile(
            "-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \\1-----", Pattern.DOTALL);
    /** AlgorithmIdentifier {rsaEncryption, NULL}. */
    private static final byte[] RSA_ALGORITHM = der(0x30, concat(
            new byte[] {0x06, 0x09, 0x2A, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xF7, 0x0D, 0x01, 0x01, 0x01},
            new byte[] {0x05, 0x00}));
    /** The OID id-ecPublicKey, whose parameters name the curve. */
    private static final byte[] EC_PUBLIC_KEY_OID =
            {0x06, 0x07, 0x2A, (byte) 0x86, 0x48, (byte) 0xCE, 0x3D, 0x02, 0x01};
    private static final byte[] VERSION_ZERO = {0x02, 0x01, 0x00};
    private static final String[] KEY_ALGORITHMS = {"RSA", "EC", "EdDSA", "RSASSA-PSS"};

    private Pem() {
    }

    /** The problem with a file, to be prefixed with the setting and the path. */
    static final class Problem extends Exception {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message, null, false, false);
        }
    }

    /** Every {@code CERTIFICATE} block, in order; other blocks (a key in the same file) are skipped. */
    static List<X509Certificate> certificates(byte[] pem) throws Problem {
        List<X509Certificate> chain = new ArrayList<>();
        CertificateFactory factory;
        try {
            factory = CertificateFactory.getInstance("X.509");
        } catch (CertificateException e) {
            throw new IllegalStateException("the JDK has no X.509 certificate factory", e);
        }
        Matcher block = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        while (block.find()) {
            if (!block.group(1).equals("CERTIFICATE")) {
                continue;
            }
            try {
                chain.add((X509Certificate) factory.generateCertificate(
                        new ByteArrayInputStream(base64(block.group(2), "certificate " + (chain.size() + 1)))));
            } catch (CertificateException e) {
                throw new Problem("certificate " + (chain.size() + 1) + " cannot be read (" + e.getMessage() + ')');
            }
        }
        if (chain.isEmpty()) {
            throw new Problem("no PEM certificate in it (expected: -----BEGIN CERTIFICATE----- blocks, the " +
                              "server's certificate first)");
        }
        return chain;
    }

    /** The one private key in the file. */
    static PrivateKey privateKey(byte[] pem) throws Problem {
        Matcher block = BLOCK.matcher(new String(pem, StandardCharsets.US_ASCII));
        String label = null;
        String body = null;
        while (block.find()) {
            if (block.group(1).endsWith("PRIVATE KEY")) {
                if (label != null) {
                    throw new Problem("more than one private key in it (expected: exactly one)");
                }
                label = block.group(1);
                body = block.group(2);
            }
        }
        if (label == null) {
            throw new Problem("no PEM private key in it (expected: -----BEGIN PRIVATE KEY-----, " +
                              "RSA PRIVATE KEY or EC PRIVATE KEY)");
        }
        if (label.equals("ENCRYPTED PRIVATE KEY") || body.contains("ENCRYPTED")) {
            throw new Problem("the private key is encrypted (expected: an unencrypted key, readable by the " +
                              "server's user only; decrypt it with: openssl pkey -in KEY -out PLAIN_KEY)");
        }
        byte[] der = base64(body, "the private key");
        byte[] pkcs8 = switch (label) {
            case "PRIVATE KEY" -> der;
            case "RSA PRIVATE KEY" -> der(0x30, concat(VERSION_ZERO, RSA_ALGORITHM, der(0x04, der)));
            case "EC PRIVATE KEY" -> ecToPkcs8(der);
            default -> throw new Problem("unsupported key type '" + label + "' (expected: PRIVATE KEY, " +
                                         "RSA PRIVATE KEY or EC PRIVATE KEY)");
        };
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
            } catch (GeneralSecurityException | RuntimeException e) {
                // Not this algorithm; the next one may read it.
            }
        }
        throw new Problem("the private key cannot be read (expected: an RSA, EC or Ed25519 key)");
    }

    private static byte[] base64(String body, String what) throws Problem {
        try {
            return Base64.getMimeDecoder().decode(body.trim());
        } catch (IllegalArgumentException e) {
            throw new Problem(what + " is not valid base64");
        }
    }

    /** SEC1's ECPrivateKey names its curve in [0]; PKCS#8 wants it in the AlgorithmIdentifier. */
    private static byte[] ecToPkcs8(byte[] sec1) throws Problem {
        Der key = new Der(sec1);
        Der fields = key.enter(0x30);
        fields.skip(0x02); // version 1
        fields.skip(0x04); // the private value
        byte[] curve = null;
        while (fields.hasMore()) {
            int tag = fields.peekTag();
            if (tag == 0xA0) {
                curve = fields.enter(0xA0).whole(0x06);
            } else {
                fields.skip(tag);
            }
        }
        if (curve == null) {
            throw new Problem("the EC private key does not name its curve (expected: an EC PRIVATE KEY with " +
                              "parameters, or a PKCS#8 PRIVATE KEY)");
        }
        return der(0x30, concat(VERSION_ZERO, der(0x30, concat(EC_PUBLIC_KEY_OID, curve)), der(0x04, sec1)));
    }

    static byte[] der(int tag, byte[] content) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
        out.write(tag);
        int length = content.length;
        if (length < 0x80) {
            out.write(length);
        } else {
            byte[] bytes = BigInteger.valueOf(length).toByteArray();
            int start = bytes[0] == 0 ? 1 : 0;
            out.write(0x80 | (bytes.length - start));
            out.write(bytes, start, bytes.length - start);
        }
        out.writeBytes(content);
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    /** Just enough DER to walk a SEC1 key: definite lengths, single-byte tags. */
    private static final class Der {
        private final byte[] bytes;
        private int position;
        private final int end;
        /** The length read by the last {@link #header}. */
        private int length;

        Der(byte[] bytes) {
            this(bytes, 0, bytes.length);
        }

        private Der(byte[] bytes, int start, int end) {
            this.bytes = bytes;
            this.position = start;
            this.end = end;
        }

        boolean hasMore() {
            return position < end;
        }

        int peekTag() throws Problem {
            need(1);
            return bytes[position] & 0xFF;
        }

        /** The content of the next element, which must have {@code tag}. */
        Der enter(int tag) throws Problem {
            int contentStart = header(tag);
            int contentEnd = contentStart + length;
            position = contentEnd;
            return new Der(bytes, contentStart, contentEnd);
        }

        void skip(int tag) throws Problem {
            enter(tag);
        }

        /** The next element with its tag and length. */
        byte[] whole(int tag) throws Problem {
            int start = position;
            enter(tag);
            return Arrays.copyOfRange(bytes, start, position);
        }

        private int header(int tag) throws Problem {
            if (peekTag() != tag) {
                throw malformed();
            }
            position++;
            need(1);
            int first = bytes[position++] & 0xFF;
            if (first < 0x80) {
                length = first;
            } else {
                int count = first & 0x7F;
                if (count == 0 || count > 3) {
                    throw malformed();
                }
                need(count);
                length = 0;
                for (int i = 0; i < count; i++) {
                    length = (length << 8) | (bytes[position++] & 0xFF);
                }
            }
            need(length);
            return position;
        }

        private void need(int count) throws Problem {
            if (count < 0 || end - position < count) {
                throw malformed();
            }
        }

        private static Problem malformed() {
            return new Problem("the EC private key is not valid DER");
        }
    }
}
