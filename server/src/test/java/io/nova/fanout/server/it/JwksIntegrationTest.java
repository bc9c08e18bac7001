package io.nova.fanout.server.it;

import static io.nova.fanout.server.it.ItAssertions.assertRefusal;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.nova.fanout.server.testing.JwksFixture;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.UnaryOperator;
import io.nova.fanout.server.ServerConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A real server whose RS256/ES256 keys come from a JWKS served over loopback HTTP: viewers and broadcasters
 * with such tokens, key rotation, a flood of made-up kids, and every token problem refused alike.
 */
class JwksIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String LIVE = "live";
    private static final RSAKey RSA = JwksFixture.rsaKey("rsa-2025");
    private static final ECKey EC = JwksFixture.ecKey("ec-2025");

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    private JwksFixture jwks(JWK... keys) throws IOException {
        JwksFixture jwks = JwksFixture.serve(keys);
        toClose.add(jwks);
        return jwks;
    }

    /** A server with no secret, keys from {@code jwks}, and a live stream {@value #LIVE}. */
    private ServerFixture server(JwksFixture jwks, UnaryOperator<ServerConfig.Builder> tweak) {
        ServerFixture server = ServerFixture.start(b -> tweak.apply(b.jwtSecret(null).jwksUrl(jwks.uri().toString())));
        toClose.add(server);
        broadcaster(server, sign(RSA, valid("broadcaster-service").claim("role", "broadcaster"))).goLive(LIVE);
        return server;
    }

    private static Broadcaster broadcaster(ServerFixture server, String token) {
        return new Broadcaster(URI.create("http://127.0.0.1:" + server.internalPort()), token);
    }

    @Test
    void rs256AndEs256ViewersConnect() throws IOException {
        ServerFixture server = server(jwks(RSA, EC), b -> b);
        for (JWK key : List.of(RSA, EC)) {
            String subject = "viewer-" + key.getKeyID();
            ViewerClient viewer = server.track(ViewerClient.connect(server.viewerUri(LIVE, sign(key, claims(subject)))));
            JsonNode established = viewer.awaitEvent("connection_established", WAIT).data();
            assertThat(established.get("viewer_id").asText()).isEqualTo(subject);
            viewer.close();
        }
        assertThat(server.server().scrapeMetrics())
                .contains("nova_jwks_reads_total{outcome=\"ok\"} 1.0", "nova_jwks_keys 2.0");
    }

    /** Dev mode means no key at all: with a JWKS alone nothing is made up, and HS256 has no key to meet. */
    @Test
    void aJwksAloneIsNotDevModeAndRefusesHs256() throws IOException {
        ServerFixture server = server(jwks(RSA), b -> b);
        assertRefusal(upgrade(server, ServerFixture.viewerTarget(LIVE, server.viewerToken("hs256-viewer"))),
                401, "CONNECTION_REJECTED");
        assertThat(server.server().streams().find("demo-live")).as("no dev-mode demo stream").isEmpty();
        assertThat(broadcaster(server, server.broadcasterToken()).list().status()).isEqualTo(401);
    }

    @Test
    void aSecretBesideTheJwksKeepsHs256Working() throws IOException {
        String jwksUrl = jwksUri(RSA);
        ServerFixture server = ServerFixture.start(b -> b.jwksUrl(jwksUrl));
        toClose.add(server);
        server.broadcaster().goLive(LIVE);
        assertThat(upgrade(server, ServerFixture.viewerTarget(LIVE, server.viewerToken("hs256"))).status()).isEqualTo(101);
        assertThat(upgrade(server, ServerFixture.viewerTarget(LIVE, sign(RSA, claims("rs256"))))).extracting(RawHttp.Response::status)
                .isEqualTo(101);
    }

    @Test
    void broadcastersUseTheSameKeys() throws IOException {
        ServerFixture server = server(jwks(RSA, EC), b -> b);
        Broadcaster es256 = broadcaster(server, sign(EC, claims("encoder-7").claim("role", "broadcaster")));
        assertThat(es256.register("second").status()).isEqualTo(201);
        assertThat(es256.start("second").status()).isEqualTo(200);
        assertThat(broadcaster(server, sign(EC, claims("viewer-not-broadcaster"))).list().status()).isEqualTo(403);
        assertThat(broadcaster(server, sign(JwksFixture.ecKey("ec-2025"), claims("forger").claim("role", "broadcaster")))
                .list().status()).isEqualTo(401);

        ViewerClient ingest = server.track(ViewerClient.connect(server.ingestUri(), new ViewerClient.Options().unchecked()
                .header("Authorization", "Bearer " + sign(RSA, claims("ingest").claim("role", "broadcaster")))));
        ingest.send(Broadcaster.bitrateUpdate(4200).put("stream_id", "second").toString());
        assertThat(Json.parse(ingest.next(WAIT).raw()).get("success").asBoolean()).isTrue();
        ingest.close();
    }

    /**
     * The token problems of the issue, on the wire: each gets the same 401 and body as a missing token, and the
     * server goes on serving good tokens.
     */
    @Test
    void everyTokenProblemIsRefusedWith401AndOneIdenticalBody() throws Exception {
        ServerFixture server = server(jwks(RSA, EC), b -> b.jwtAudience("nova").jwtIssuer("https://idp.example"));
        Instant now = Instant.now();
        Map<String, String> tokens = new LinkedHashMap<>();
        tokens.put("alg none", new PlainJWT(valid("v").build()).serialize());
        SignedJWT confused = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa-2025").build(), valid("v").build());
        confused.sign(new MACSigner(RSA.toRSAPublicKey().getEncoded()));
        tokens.put("HS256 keyed with the RSA public key", confused.serialize());
        SignedJWT keyedWithJwks = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), valid("v").build());
        keyedWithJwks.sign(new MACSigner(JwksFixture.jwks(RSA).getBytes(UTF_8)));
        tokens.put("HS256 keyed with the JWKS document", keyedWithJwks.serialize());
        tokens.put("unknown kid", JwksFixture.sign(JwksFixture.rsaKey("x"), JWSAlgorithm.RS256, "not-published", valid("v").build()));
        tokens.put("known kid, other key", sign(JwksFixture.rsaKey("rsa-2025"), valid("v")));
        tokens.put("EC kid on RS256", JwksFixture.sign(RSA, JWSAlgorithm.RS256, "ec-2025", valid("v").build()));
        tokens.put("expired", sign(EC, valid("v").expirationTime(Date.from(now.minusSeconds(120)))));
        tokens.put("not yet valid", sign(EC, valid("v").notBeforeTime(Date.from(now.plusSeconds(120)))));
        tokens.put("no exp", sign(EC, valid("v").expirationTime(null)));
        tokens.put("wrong audience", sign(RSA, valid("v").audience("billing")));
        tokens.put("no audience", sign(RSA, valid("v").audience((String) null)));
        tokens.put("wrong issuer", sign(RSA, valid("v").issuer("https://evil.example")));
        String exp = ",\"exp\":" + now.plusSeconds(300).getEpochSecond() + ",\"aud\":\"nova\",\"iss\":\"https://idp.example\"";
        tokens.put("1,000 nested arrays in a signed claim", signRaw("{\"sub\":\"v\"" + exp + ",\"x\":" + nested(1_000) + "}"));
        tokens.put("2,500 nested arrays in the header", base64Url("{\"alg\":\"RS256\",\"kid\":\"rsa-2025\",\"x\":" +
                nested(2_500) + "}") + "." + base64Url("{\"sub\":\"v\"" + exp + "}") + ".c2ln");

        Map<String, String> bodies = new HashMap<>();
        bodies.put("missing", upgrade(server, ServerFixture.viewerPath(LIVE)).bodyText());
        tokens.forEach((problem, token) -> {
            RawHttp.Response response = upgrade(server, ServerFixture.viewerTarget(LIVE, token));
            assertThat(response.status()).as(problem).isEqualTo(401);
            assertRefusal(response, 401, "CONNECTION_REJECTED");
            bodies.put(problem, response.bodyText());
        });
        assertThat(Set.copyOf(bodies.values())).as("bodies by problem: %s", bodies).hasSize(1);
        assertThat(upgrade(server, ServerFixture.viewerTarget(LIVE, sign(EC, valid("good")))).status()).isEqualTo(101);
        assertThat(server.server().scrapeMetrics()).contains("nova_handshakes_total{outcome=\"CONNECTION_REJECTED\"} "
                + (tokens.size() + 1) + ".0");
    }

    /**
     * Rotation: the issuer publishes a new key and signs with it; its tokens work after the next read (periodic
     * here, every second, or asked for by the new kid itself). Then it withdraws the old key, whose tokens stop.
     */
    @Test
    void aKeyPublishedLaterWorksAfterTheNextReadAndAWithdrawnOneStops() throws Exception {
        JwksFixture jwks = jwks(RSA);
        ServerFixture server = server(jwks, b -> b.jwksRefresh(Duration.ofSeconds(1)));
        RSAKey next = JwksFixture.rsaKey("rsa-2026");
        String rotated = ServerFixture.viewerTarget(LIVE, sign(next, claims("rotated")));
        String old = ServerFixture.viewerTarget(LIVE, sign(RSA, claims("old")));
        assertThat(upgrade(server, rotated).status()).as("unknown before it is published").isEqualTo(401);

        jwks.publish(RSA, next);
        assertThat(awaitStatus(server, rotated, 101)).as("statuses seen on the way").containsOnly(401, 101);
        assertThat(upgrade(server, old).status()).isEqualTo(101);

        jwks.publish(next);
        assertThat(awaitStatus(server, old, 401)).containsOnly(101, 401);
        assertThat(upgrade(server, rotated).status()).isEqualTo(101);
    }

    /**
     * A token with a new kid that arrives while the JWKS is being read waits for that read instead of getting
     * 401: the handshake gets no answer while the key server holds the read, and 101 once it answers.
     */
    @Test
    void aTokenWithANewKidWaitsForTheReadUnderWay() throws Exception {
        JwksFixture jwks = jwks(RSA);
        ServerFixture server = server(jwks, b -> b.jwksRefresh(Duration.ofSeconds(1)));
        RSAKey next = JwksFixture.rsaKey("rsa-2026");
        String token = sign(next, claims("early-adopter"));
        try (JwksFixture.Hold hold = jwks.holdNextRead()) {
            assertThat(hold.awaitStarted(WAIT)).as("a periodic read began").isTrue();
            jwks.publish(RSA, next);
            try (Socket socket = RawHttp.open(server.port())) {
                Map<String, String> headers = new LinkedHashMap<>();
                headers.put("Host", "127.0.0.1:" + server.port());
                headers.putAll(RawHttp.upgradeHeaders());
                RawHttp.writeRequest(socket.getOutputStream(), "GET", ServerFixture.viewerTarget(LIVE, token), headers, null);
                socket.setSoTimeout(500);
                assertThat(readsAByteWithin(socket.getInputStream())).as("no answer while the read is held").isFalse();
                socket.setSoTimeout(RawHttp.TIMEOUT_MILLIS);
                hold.close();
                assertThat(RawHttp.readResponse(socket.getInputStream(), false).status()).isEqualTo(101);
            }
        }
    }

    /**
     * The flood: handshakes with made-up kids from several clients at once, for three intervals (here the 2 s
     * refresh period) and at least 400 of them, cost the key server at most one read per interval: the periodic
     * ones, which happen anyway. One read per unknown kid would be hundreds.
     */
    @Test
    void aFloodOfUnknownKidsCostsAtMostOneReadPerInterval() throws Exception {
        JwksFixture jwks = jwks(RSA);
        Duration interval = Duration.ofSeconds(2);
        ServerFixture server = server(jwks, b -> b.jwksRefresh(interval));
        RSAKey attacker = JwksFixture.rsaKey("attacker");
        Duration floodFor = interval.multipliedBy(3);
        int minimum = 400;

        ExecutorService clients = Executors.newFixedThreadPool(8);
        java.util.concurrent.atomic.AtomicInteger sent = new java.util.concurrent.atomic.AtomicInteger();
        int readsBefore = jwks.reads();
        long start = System.nanoTime();
        List<Future<Set<Integer>>> statuses = new ArrayList<>();
        try {
            for (int c = 0; c < 8; c++) {
                statuses.add(clients.submit(() -> {
                    Set<Integer> seen = new java.util.TreeSet<>();
                    while (System.nanoTime() - start < floodFor.toNanos() || sent.get() < minimum) {
                        int i = sent.incrementAndGet();
                        String token = JwksFixture.sign(attacker, JWSAlgorithm.RS256, UUID.randomUUID().toString(),
                                claims("flood-" + i).build());
                        seen.add(upgrade(server, ServerFixture.viewerTarget(LIVE, token)).status());
                    }
                    return seen;
                }));
            }
            for (Future<Set<Integer>> status : statuses) {
                assertThat(status.get()).containsOnly(401);
            }
        } finally {
            clients.shutdownNow();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        int reads = jwks.reads() - readsBefore;
        // Starts are at least an interval apart; one more for a read that began just before and arrived within.
        long bound = elapsed.toNanos() / interval.toNanos() + 2;
        assertThat((long) reads).as("%d reads for %d handshakes in %s", reads, sent.get(), elapsed).isLessThanOrEqualTo(bound);
        assertThat(bound).as("the flood must be far above the bound to mean anything").isLessThan(sent.get() / 10);
        assertThat(upgrade(server, ServerFixture.viewerTarget(LIVE, sign(RSA, claims("still-fine")))).status()).isEqualTo(101);
    }

    @Test
    void aJwksThatCannotBeReadStopsTheStartSayingWhy() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String unreachable = "http://127.0.0.1:" + closedPort + "/jwks.json";
        assertThatThrownBy(() -> ServerFixture.start(b -> b.jwtSecret(null).jwksUrl(unreachable)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jwksUrl: cannot load the JWKS from " + unreachable + ": ConnectException");

        JwksFixture notFound = jwks(RSA);
        notFound.answer(404, "{\"error\":\"not found\"}");
        assertThatThrownBy(() -> ServerFixture.start(b -> b.jwtSecret(null).jwksUrl(notFound.uri().toString())))
                .hasMessage("jwksUrl: cannot load the JWKS from " + notFound.uri() + ": HTTP 404 (expected: 200)");

        notFound.answer(200, "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"" + "A".repeat(43) + "\"}]}");
        assertThatThrownBy(() -> ServerFixture.start(b -> b.jwtSecret(null).jwksUrl(notFound.uri().toString())))
                .hasMessageContaining("holds no usable key");
    }

    /** The real command: a JWKS alone starts no dev mode (no banner, no made-up secret), and HS256 is refused. */
    @Test
    void theCommandWithAJwksAloneStartsWithoutDevMode() throws Exception {
        JwksFixture jwks = jwks(RSA);
        try (ServerProcess process = ServerProcess.start(Map.of("NOVA_JWKS_URL", jwks.uri().toString()))) {
            process.awaitLine("JWKS from " + jwks.uri() + ": 1 usable keys", WAIT);
            assertThat(process.output()).noneMatch(line -> line.contains("DEV MODE"));
            String hs256 = new io.nova.fanout.server.auth.TokenMinter(ServerFixture.SECRET, java.time.Clock.systemUTC())
                    .viewerToken("v", Duration.ofMinutes(5));
            assertRefusal(RawHttp.upgrade(process.port(), ServerFixture.viewerTarget("demo-live", hs256), Map.of()),
                    401, "CONNECTION_REJECTED");
            assertRefusal(RawHttp.upgrade(process.port(), ServerFixture.viewerTarget("demo-live", sign(RSA, claims("v"))),
                    Map.of()), 404, "STREAM_NOT_FOUND");
            assertThat(process.terminate(WAIT)).isZero();
        }
    }

    @Test
    void theCommandWithAnUnreadableJwksExitsWith2NamingTheOption() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        String unreachable = "http://127.0.0.1:" + closedPort + "/jwks.json";
        try (ServerProcess process = ServerProcess.startExpectingRefusal(Map.of(), "--jwks-url", unreachable)) {
            assertThat(process.awaitExit(Duration.ofSeconds(60))).as("the exit status of a bad setting").isEqualTo(2);
            assertThat(process.output()).anyMatch(line -> line.startsWith(
                    "nova-server: --jwks-url: cannot load the JWKS from " + unreachable + ": ConnectException"));
            assertThat(process.output()).noneMatch(line -> line.contains("nova-server listening"));
        }
    }

    /** Repeats the handshake until it gets {@code status}, within {@link #WAIT}; returns every status seen. */
    private static Set<Integer> awaitStatus(ServerFixture server, String target, int status) {
        Set<Integer> seen = new java.util.TreeSet<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            int now = upgrade(server, target).status();
            seen.add(now);
            if (now == status) {
                return seen;
            }
            assertThat(System.nanoTime() - deadline).as("%d within %s; seen %s", status, WAIT, seen).isNegative();
            ItAssertions.sleep(50);
        }
    }

    private static boolean readsAByteWithin(InputStream in) throws IOException {
        try {
            return in.read() >= 0;
        } catch (SocketTimeoutException e) {
            return false;
        }
    }

    private String jwksUri(JWK... keys) throws IOException {
        return jwks(keys).uri().toString();
    }

    private static RawHttp.Response upgrade(ServerFixture server, String target) {
        return RawHttp.upgrade(server.port(), target, Map.of());
    }

    private static JWTClaimsSet.Builder claims(String subject) {
        return new JWTClaimsSet.Builder().subject(subject).expirationTime(Date.from(Instant.now().plusSeconds(300)));
    }

    /** Claims that pass the audience and issuer checks. */
    private static JWTClaimsSet.Builder valid(String subject) {
        return claims(subject).audience("nova").issuer("https://idp.example");
    }

    private static String sign(JWK key, JWTClaimsSet.Builder claims) {
        return JwksFixture.sign(key, claims.build());
    }

    private static String signRaw(String payloadJson) throws JOSEException {
        JWSObject jws = new JWSObject(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-2025").build(), new Payload(payloadJson));
        jws.sign(new RSASSASigner(RSA));
        return jws.serialize();
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    private static String base64Url(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(UTF_8));
    }
}
