package io.nova.fanout.server.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Signing keys as an identity provider has them, tokens signed with them, and a JWKS endpoint on loopback
 * (the JDK's own HTTP server) that counts how often it is read, so that tests can pin how often the server
 * fetches keys.
 */
public final class JwksFixture implements AutoCloseable {
    public static final String PATH = "/.well-known/jwks.json";

    private record Answer(int status, byte[] body) {}

    private final HttpServer server;
    private final AtomicReference<Answer> answer = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final AtomicReference<Hold> hold = new AtomicReference<>();

    /** Keeps one read waiting, as a slow key server would, until closed. */
    public static final class Hold implements AutoCloseable {
        private final CountDownLatch started = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** Whether the held read began within {@code timeout}. */
        public boolean awaitStarted(Duration timeout) throws InterruptedException {
            return started.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        /** Lets the read go on; it answers with what is published by then. */
        @Override
        public void close() {
            released.countDown();
        }
    }

    private JwksFixture(HttpServer server) {
        this.server = server;
    }

    /** Serves a JWKS of the public halves of {@code keys} on a free loopback port. */
    public static JwksFixture serve(JWK... keys) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        JwksFixture fixture = new JwksFixture(server);
        fixture.publish(keys);
        server.createContext(PATH, fixture::handle);
        server.start();
        return fixture;
    }

    private void handle(HttpExchange exchange) throws IOException {
        reads.incrementAndGet();
        Hold held = hold.getAndSet(null);
        if (held != null) {
            held.started.countDown();
            try {
                held.released.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        Answer now = answer.get();
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(now.status(), now.body().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(now.body());
        }
    }

    /** From now on, the JWKS holds the public halves of exactly {@code keys}. */
    public void publish(JWK... keys) {
        answer.set(new Answer(200, jwks(keys).getBytes(UTF_8)));
    }

    /** From now on, every read gets this status and body. */
    public void answer(int status, String body) {
        answer.set(new Answer(status, body.getBytes(UTF_8)));
    }

    /** Holds the next read until the returned hold is closed. */
    public Hold holdNextRead() {
        Hold next = new Hold();
        hold.set(next);
        return next;
    }

    /** How many times the JWKS was requested. */
    public int reads() {
        return reads.get();
    }

    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + PATH);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    /** A fresh 2048-bit RSA signing key. */
    public static RSAKey rsaKey(String kid) {
        try {
            return new RSAKeyGenerator(2048).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** A fresh EC P-256 signing key. */
    public static ECKey ecKey(String kid) {
        try {
            return new ECKeyGenerator(Curve.P_256).keyID(kid).keyUse(KeyUse.SIGNATURE).generate();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    /** The JWKS document of the public halves of {@code keys}. */
    public static String jwks(JWK... keys) {
        return new JWKSet(List.of(keys)).toString(true);
    }

    /** A compact JWS of {@code claims}, RS256 for an RSA key and ES256 for an EC key, with the key's kid. */
    public static String sign(JWK key, JWTClaimsSet claims) {
        JWSAlgorithm algorithm = key instanceof RSAKey ? JWSAlgorithm.RS256 : JWSAlgorithm.ES256;
        return sign(key, algorithm, key.getKeyID(), claims);
    }

    /** A compact JWS of {@code claims} with exactly this {@code alg} and {@code kid} in its header. */
    public static String sign(JWK key, JWSAlgorithm algorithm, String kid, JWTClaimsSet claims) {
        try {
            JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner((ECKey) key);
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(kid).build(), claims);
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }
}
