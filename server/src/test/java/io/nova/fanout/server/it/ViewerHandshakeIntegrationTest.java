package io.nova.fanout.server.it;

import static io.nova.fanout.server.it.ItAssertions.ISO_MILLIS_UTC;
import static io.nova.fanout.server.it.ItAssertions.assertRefusal;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.nova.fanout.server.auth.TokenMinter;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Every way the viewer endpoint refuses before the upgrade, and what an accepted viewer receives first. */
class ViewerHandshakeIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String LIVE = "live-stream";
    private static final String SCHEDULED = "scheduled-stream";
    private static final String ENDED = "ended-stream";

    private static ServerFixture fixture;

    @BeforeAll
    static void startServer() {
        fixture = ServerFixture.start();
        Broadcaster broadcaster = fixture.broadcaster();
        broadcaster.goLive(LIVE);
        assertThat(broadcaster.register(SCHEDULED).status()).isEqualTo(201);
        broadcaster.goLive(ENDED);
        assertThat(broadcaster.end(ENDED, "broadcaster_ended").status()).isEqualTo(200);
    }

    @AfterAll
    static void stopServer() {
        fixture.close();
    }

    // ---- 400 PROTOCOL_ERROR ----

    @Test
    void malformedStreamIdIsRefusedWith400() {
        String token = fixture.viewerToken("v");
        assertRefusal(upgrade(ServerFixture.viewerTarget("bad!id", token)), 400, "PROTOCOL_ERROR");
        assertRefusal(upgrade(ServerFixture.viewerTarget("x".repeat(129), token)), 400, "PROTOCOL_ERROR");
    }

    @Test
    void unsupportedProtocolVersionIsRefusedWith400() {
        String target = ServerFixture.viewerTarget(LIVE, fixture.viewerToken("v")) + "&protocol=2.0";
        assertRefusal(upgrade(target), 400, "PROTOCOL_ERROR");
    }

    @Test
    void explicitProtocolVersionOneIsAccepted() {
        String target = ServerFixture.viewerTarget(LIVE, fixture.viewerToken("v")) + "&protocol=1.0";
        assertThat(upgrade(target).status()).isEqualTo(101);
    }

    @Test
    void anUpgradeHeaderListingWebSocketAmongOthersIsRefusedWith400() {
        String target = ServerFixture.viewerTarget(LIVE, fixture.viewerToken("v"));

        assertRefusal(upgrade(target, Map.of("Upgrade", "websocket, h2c")), 400, "PROTOCOL_ERROR");
    }

    @Test
    void plainGetWithoutUpgradeIsRefusedWith400() {
        RawHttp.Response response = RawHttp.get(fixture.port(), ServerFixture.viewerTarget(LIVE, fixture.viewerToken("v")));
        assertRefusal(response, 400, "PROTOCOL_ERROR");
    }

    @Test
    void aPlainGetLearnsWhyTheUpgradeWouldBeRefusedFromAnyOrigin() {
        RawHttp.Response response = RawHttp.get(fixture.port(),
                ServerFixture.viewerTarget("no-such-stream", fixture.viewerToken("v")));
        assertRefusal(response, 404, "STREAM_NOT_FOUND");
        assertThat(response.headers()).containsEntry("access-control-allow-origin", "*");
    }

    // ---- 401 CONNECTION_REJECTED ----

    @Test
    void everyTokenProblemIsRefusedWith401AndOneIdenticalBody() throws JOSEException {
        Instant now = Instant.now();
        Map<String, String> targets = new LinkedHashMap<>();
        targets.put("missing", ServerFixture.viewerPath(LIVE));
        targets.put("empty", ServerFixture.viewerPath(LIVE) + "?token=");
        targets.put("malformed", ServerFixture.viewerTarget(LIVE, "not-a-jwt"));
        targets.put("three garbage parts", ServerFixture.viewerTarget(LIVE, "aaa.bbb.ccc"));
        TokenMinter otherKey = new TokenMinter("another-secret-of-at-least-32-bytes!!".getBytes(StandardCharsets.US_ASCII),
                Clock.systemUTC());
        targets.put("bad signature", ServerFixture.viewerTarget(LIVE, otherKey.viewerToken("v", Duration.ofMinutes(5))));
        targets.put("alg none", ServerFixture.viewerTarget(LIVE, new PlainJWT(claims("v", now.plusSeconds(300), null)).serialize()));
        targets.put("HS512", ServerFixture.viewerTarget(LIVE, sign(JWSAlgorithm.HS512, new byte[64],
                claims("v", now.plusSeconds(300), null))));
        TokenMinter pastClock = new TokenMinter(ServerFixture.SECRET, Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-10)));
        targets.put("expired", ServerFixture.viewerTarget(LIVE, pastClock.viewerToken("v", Duration.ofMinutes(1))));
        targets.put("nbf in 2 minutes", ServerFixture.viewerTarget(LIVE, sign(JWSAlgorithm.HS256, ServerFixture.SECRET,
                claims("v", now.plusSeconds(600), now.plusSeconds(120)))));
        targets.put("no exp", ServerFixture.viewerTarget(LIVE, sign(JWSAlgorithm.HS256, ServerFixture.SECRET,
                claims("v", null, null))));

        Map<String, String> bodies = new HashMap<>();
        targets.forEach((cause, target) -> {
            RawHttp.Response response = upgrade(target);
            assertRefusal(response, 401, "CONNECTION_REJECTED");
            bodies.put(cause, response.bodyText());
        });
        assertThat(Set.copyOf(bodies.values())).as("bodies by cause: %s", bodies).hasSize(1);
    }

    @Test
    void nbfWithinTheThirtySecondSkewIsAccepted() throws JOSEException {
        Instant now = Instant.now();
        String token = sign(JWSAlgorithm.HS256, ServerFixture.SECRET, claims("v", now.plusSeconds(600), now.plusSeconds(10)));
        assertThat(upgrade(ServerFixture.viewerTarget(LIVE, token)).status()).isEqualTo(101);
    }

    @Test
    void tokenIsAcceptedFromTheAuthorizationHeader() {
        ViewerClient viewer = fixture.track(ViewerClient.connect(fixture.viewerUri(LIVE, null),
                new ViewerClient.Options().header("Authorization", "Bearer " + fixture.viewerToken("header-viewer"))));
        JsonNode established = viewer.awaitEvent("connection_established", WAIT).data();
        assertThat(established.get("viewer_id").asText()).isEqualTo("header-viewer");
        viewer.close();
    }

    @Test
    void badBearerHeaderIsRefusedWith401() {
        RawHttp.Response response = upgrade(ServerFixture.viewerPath(LIVE), Map.of("Authorization", "Bearer nope"));
        assertRefusal(response, 401, "CONNECTION_REJECTED");
    }

    // ---- 403, 404, 410 ----

    @Test
    void streamsClaimThatExcludesTheStreamIsRefusedWith403() {
        String token = fixture.viewerToken("v", List.of("some-other-stream"));
        assertRefusal(upgrade(ServerFixture.viewerTarget(LIVE, token)), 403, "UNAUTHORIZED");
    }

    @Test
    void streamsClaimThatIncludesTheStreamOrIsAWildcardIsAccepted() {
        assertThat(upgrade(ServerFixture.viewerTarget(LIVE, fixture.viewerToken("v", List.of("x", LIVE)))).status())
                .isEqualTo(101);
        assertThat(upgrade(ServerFixture.viewerTarget(LIVE, fixture.viewerToken("v", List.of("*")))).status())
                .isEqualTo(101);
    }

    @Test
    void unknownStreamIsRefusedWith404() {
        assertRefusal(upgrade(ServerFixture.viewerTarget("no-such-stream", fixture.viewerToken("v"))), 404, "STREAM_NOT_FOUND");
    }

    @Test
    void endedStreamIsRefusedWith410() {
        assertRefusal(upgrade(ServerFixture.viewerTarget(ENDED, fixture.viewerToken("v"))), 410, "STREAM_ENDED");
    }

    // ---- 503 at capacity ----

    @Test
    void connectionBeyondMaxConnectionsIsRefusedWith503AndRetryAfter() {
        try (ServerFixture small = ServerFixture.start(b -> b.maxConnections(1))) {
            small.broadcaster().goLive("s");
            ViewerClient first = small.viewer("s");
            first.awaitEvent("connection_established", WAIT);

            RawHttp.Response refused = RawHttp.upgrade(small.port(), ServerFixture.viewerTarget("s", small.viewerToken("v2")), Map.of());
            assertRefusal(refused, 503, "SERVER_ERROR");
            assertThat(refused.header("Retry-After")).isNotNull().matches("\\d+");

            // The slot comes back once the first viewer has left.
            first.close();
            int status = 0;
            for (int attempt = 0; attempt < 50 && status != 101; attempt++) {
                status = RawHttp.upgrade(small.port(), ServerFixture.viewerTarget("s", small.viewerToken("v3")), Map.of()).status();
                if (status != 101) {
                    ItAssertions.sleep(20);
                }
            }
            assertThat(status).isEqualTo(101);
        }
    }

    // ---- other paths ----

    @Test
    void otherPathsAnswer404() {
        String token = fixture.viewerToken("v");
        // "/" is the demo page (DemoStreamIntegrationTest).
        for (String target : List.of("/foo", "/index.html", "/client/", "/api/v1/streams/" + LIVE + "/other?token=" + token,
                "/api/v1/streams/" + LIVE, "/internal/v1/streams")) {
            assertThat(upgrade(target).status()).as("upgrade %s", target).isEqualTo(404);
            assertThat(RawHttp.get(fixture.port(), target).status()).as("GET %s", target).isEqualTo(404);
        }
    }

    @Test
    void aPathThatIsTheViewerPathOnlyOnceDecodedIs404() {
        String target = "/api%2Fv1/streams/" + LIVE + "/ws?token=" + fixture.viewerToken("v");

        assertRefusal(upgrade(target), 404, "NOT_FOUND");
    }

    @Test
    void aUriWhosePercentEscapesDoNotDecodeIsRefusedWith400() {
        for (String target : List.of("/%zz", "/health%", "/api/v1/streams/" + LIVE + "/ws?token=%E")) {
            assertRefusal(RawHttp.get(fixture.port(), target), 400, "PROTOCOL_ERROR");
        }
    }

    @Test
    void anUnsupportedExpectationIsRefusedWith417() throws IOException {
        try (Socket socket = RawHttp.open(fixture.port())) {
            RawHttp.writeRequest(socket.getOutputStream(), "POST", "/health",
                    Map.of("Host", "127.0.0.1", "Expect", "x-unknown", "Content-Length", "5"), null);

            assertRefusal(RawHttp.readResponse(socket.getInputStream(), false), 417, "PROTOCOL_ERROR");

            // The client waited for an answer before its body, so it sends none; the next request is answered.
            RawHttp.writeRequest(socket.getOutputStream(), "GET", "/health", Map.of("Host", "127.0.0.1"), null);
            assertThat(RawHttp.readResponse(socket.getInputStream(), false).status()).isEqualTo(200);
        }
    }

    @Test
    void aContinueExpectationForABodyOverTheLimitIsRefusedWithABodiless413() {
        RawHttp.Response response = RawHttp.exchange(fixture.port(), "POST", "/health",
                Map.of("Expect", "100-continue", "Content-Length", "100000"), null);

        assertThat(response.status()).isEqualTo(413);
        assertThat(response.body()).isEmpty();
    }

    @Test
    void healthAnswers200WithJson() {
        RawHttp.Response response = RawHttp.get(fixture.port(), "/health");
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.header("Content-Type")).startsWith("application/json");
        assertThat(Json.parse(response.bodyText()).isObject()).isTrue();
    }

    // ---- after the upgrade ----

    @Test
    void liveStreamSendsConnectionEstablishedThenStreamStarted() {
        ViewerClient viewer = fixture.track(ViewerClient.connect(fixture.viewerUri(LIVE, fixture.viewerToken("alice"))));
        ViewerClient.Received first = viewer.next(WAIT);
        assertThat(first.event()).isEqualTo("connection_established");
        assertThat(first.hasSeq()).as("connection-level messages carry no seq").isFalse();
        JsonNode data = first.data();
        assertThat(Json.fieldNames(data)).containsExactlyInAnyOrder("stream_id", "viewer_id", "session_id", "protocol_version", "timestamp");
        assertThat(data.get("stream_id").asText()).isEqualTo(LIVE);
        assertThat(data.get("viewer_id").asText()).isEqualTo("alice");
        assertThat(data.get("session_id").asText()).isNotBlank();
        assertThat(data.get("protocol_version").asText()).isEqualTo("1.0");
        assertThat(data.get("timestamp").asText()).matches(ISO_MILLIS_UTC);

        ViewerClient.Received second = viewer.next(WAIT);
        assertThat(second.event()).isEqualTo("stream_started");
        assertThat(second.hasSeq()).isTrue();
        assertThat(second.seq()).isPositive();
        JsonNode started = second.data();
        assertThat(started.get("stream_id").asText()).isEqualTo(LIVE);
        assertThat(started.get("broadcaster_id").asText()).isEqualTo("user-123");
        assertThat(started.get("title").asText()).isEqualTo("Live Gaming Session");
        assertThat(started.get("description").asText()).isEqualTo("Playing competitive games with viewers");
        assertThat(started.get("quality").asText()).isEqualTo("1080p");
        assertThat(started.get("fps").asInt()).isEqualTo(60);
        assertThat(started.get("bitrate_kbps").asInt()).isEqualTo(5000);
        assertThat(started.get("timestamp").asText()).matches(ISO_MILLIS_UTC);
        assertThat(viewer.protocolViolations()).isEmpty();
        viewer.close();
    }

    @Test
    void sessionIdsAreUniqueAcrossConnections() {
        ViewerClient a = fixture.track(ViewerClient.connect(fixture.viewerUri(LIVE, fixture.viewerToken("same"))));
        ViewerClient b = fixture.track(ViewerClient.connect(fixture.viewerUri(LIVE, fixture.viewerToken("same"))));
        String sessionA = a.awaitEvent("connection_established", WAIT).data().get("session_id").asText();
        String sessionB = b.awaitEvent("connection_established", WAIT).data().get("session_id").asText();
        assertThat(sessionA).isNotEqualTo(sessionB);
        a.close();
        b.close();
    }

    @Test
    void scheduledStreamSendsOnlyConnectionEstablishedUntilItStarts() {
        String id = "scheduled-then-live";
        Broadcaster broadcaster = fixture.broadcaster();
        assertThat(broadcaster.register(id).status()).isEqualTo(201);
        ViewerClient viewer = fixture.viewer(id);
        assertThat(viewer.next(WAIT).event()).isEqualTo("connection_established");
        assertThat(broadcaster.start(id).status()).isEqualTo(200);
        ViewerClient.Received started = viewer.awaitEvent("stream_started", WAIT);
        assertThat(started.hasSeq()).isTrue();
        assertThat(viewer.history().get(1).event())
                .as("nothing but viewer counts may come between connection_established and stream_started")
                .isIn("stream_started", "viewer_count_changed");
        viewer.close();
    }

    @Test
    void viewerOfAStreamThatEndsWhileScheduledIsClosedNormally() {
        String id = "scheduled-then-ended";
        Broadcaster broadcaster = fixture.broadcaster();
        assertThat(broadcaster.register(id).status()).isEqualTo(201);
        ViewerClient viewer = fixture.viewer(id);
        viewer.awaitEvent("connection_established", WAIT);
        assertThat(broadcaster.end(id, "error").status()).isEqualTo(200);
        assertThat(viewer.awaitEvent("stream_ended", WAIT).data().get("reason").asText()).isEqualTo("error");
        assertThat(viewer.awaitClose(WAIT).code()).isEqualTo(1000);
    }

    // ---- helpers ----

    private static RawHttp.Response upgrade(String target) {
        return upgrade(target, Map.of());
    }

    private static RawHttp.Response upgrade(String target, Map<String, String> headers) {
        return RawHttp.upgrade(fixture.port(), target, headers);
    }

    private static JWTClaimsSet claims(String subject, Instant expires, Instant notBefore) {
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).issueTime(new Date());
        if (expires != null) {
            claims.expirationTime(Date.from(expires));
        }
        if (notBefore != null) {
            claims.notBeforeTime(Date.from(notBefore));
        }
        return claims.build();
    }

    private static String sign(JWSAlgorithm alg, byte[] key, JWTClaimsSet claims) throws JOSEException {
        SignedJWT jwt = new SignedJWT(new JWSHeader(alg), claims);
        jwt.sign(new MACSigner(key));
        return jwt.serialize();
    }
}
