package io.nova.fanout.server.it;

import static io.nova.fanout.server.it.ItAssertions.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jwt.SignedJWT;
import io.nova.fanout.protocol.Timestamps;
import io.nova.fanout.server.auth.TokenMinter;
import io.nova.fanout.server.auth.TokenVerifier;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Live connections held to their tokens on a real server: {@code TOKEN_EXPIRED}, the close 1008 once the
 * handshake's clock skew has run out, and {@code refresh_token}. A token the server closes within seconds has
 * its {@code exp} almost the whole skew in the past, so the warning comes at once; that it comes ahead of
 * {@code exp} is pinned by {@code ViewerTokenExpiryTest} on frozen time.
 */
class TokenExpiryIntegrationTest {
    private static final String STREAM = "token-expiry";
    private static final Duration WAIT = Duration.ofSeconds(10);
    /** A connection that must still be open must be so this long before its close is due. */
    private static final Duration EARLY_MARGIN = Duration.ofMillis(300);

    private static ServerFixture fixture;
    /** Mints with its clock a skew behind, so that its tokens pass the handshake and run out within seconds. */
    private static final TokenMinter SHORT_LIVED = new TokenMinter(ServerFixture.SECRET,
            Clock.offset(Clock.systemUTC(), TokenVerifier.CLOCK_SKEW.negated()));

    @BeforeAll
    static void startServer() {
        // A ping timeout of 1 s makes the sweep run every 100 ms; pings themselves (every 30 s) never come.
        fixture = ServerFixture.start(b -> b.pingTimeout(Duration.ofSeconds(1)));
        fixture.broadcaster().goLive(STREAM);
    }

    @AfterAll
    static void stopServer() {
        fixture.close();
    }

    /** A token of {@code subject} that the server closes about {@code seconds} from now (less up to one: exp is whole seconds). */
    private static String closedInAbout(String subject, int seconds) {
        return SHORT_LIVED.viewerToken(subject, Duration.ofSeconds(seconds));
    }

    private static Instant expOf(String token) {
        try {
            return SignedJWT.parse(token).getJWTClaimsSet().getExpirationTime().toInstant();
        } catch (ParseException e) {
            throw new AssertionError(e);
        }
    }

    private static Instant closeDue(String token) {
        return expOf(token).plus(TokenVerifier.CLOCK_SKEW);
    }

    private static ViewerClient connect(String token) {
        return fixture.track(ViewerClient.connect(fixture.viewerUri(STREAM, token)));
    }

    private static ViewerClient.Received awaitError(ViewerClient viewer, String errorCode) {
        return viewer.await(m -> m.event().equals("error") && errorCode.equals(m.data().path("error_code").asText()),
                "error " + errorCode, WAIT);
    }

    private static void sleepUntil(Instant moment) {
        long millis = Duration.between(Instant.now(), moment).toMillis();
        if (millis > 0) {
            sleep(millis);
        }
    }

    private static String refresh(String token) {
        return "{\"event\":\"refresh_token\",\"data\":{\"token\":\"" + token + "\"}}";
    }

    @Test
    void aViewerWhoseTokenRunsOutIsWarnedThenClosedWith1008() {
        String token = closedInAbout(fixture.nextViewerId(), 3);
        ViewerClient viewer = connect(token);

        ViewerClient.Received warning = awaitError(viewer, "TOKEN_EXPIRED");
        assertThat(warning.hasSeq()).as("a notice to this connection").isFalse();
        assertThat(warning.data().get("severity").asText()).isEqualTo("warning");
        assertThat(warning.data().get("recoverable").asBoolean()).isTrue();
        assertThat(warning.data().get("suggested_action").asText()).isEqualTo("Send refresh_token with a new token");
        assertThat(warning.data().get("error_message").asText()).isEqualTo("the token expires at "
                + Timestamps.format(expOf(token)) + "; the connection will be closed at "
                + Timestamps.format(closeDue(token)) + " unless refresh_token brings a new one");

        sleepUntil(closeDue(token).minus(EARLY_MARGIN));
        assertThat(viewer.closedNow()).as("open until exp plus the skew").isNull();
        ViewerClient.Closed closed = viewer.awaitClose(WAIT);
        Instant closedBy = Instant.now();
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).isEqualTo("token expired");
        assertThat(closedBy).isBetween(closeDue(token).minusMillis(50), closeDue(token).plusSeconds(3));
        assertThat(viewer.history("error")).as("warned once").hasSize(1);
        assertThat(viewer.protocolViolations()).isEmpty();
        assertThat(fixture.server().scrapeMetrics()).containsPattern("(?m)^nova_token_expirations_total\\S* [1-9]");
    }

    @Test
    void aViewerThatSendsANewTokenStaysConnectedPastItsOldExpiry() {
        String viewerId = fixture.nextViewerId();
        String token = closedInAbout(viewerId, 3);
        ViewerClient viewer = connect(token);
        awaitError(viewer, "TOKEN_EXPIRED");

        String fresh = fixture.viewerToken(viewerId);
        viewer.send(refresh(fresh));

        ViewerClient.Received refreshed = viewer.awaitEvent("token_refreshed", WAIT);
        assertThat(refreshed.hasSeq()).isFalse();
        assertThat(Json.fieldNames(refreshed.data())).containsExactlyInAnyOrder("expires_at", "timestamp");
        assertThat(refreshed.data().get("expires_at").asText()).isEqualTo(Timestamps.format(expOf(fresh)));
        sleepUntil(closeDue(token).plusSeconds(2));
        assertThat(viewer.closedNow()).as("two seconds past the old token's close").isNull();
        viewer.send("{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"after-refresh\"}}");
        assertThat(viewer.awaitEvent("stream_info", WAIT).data().get("request_id").asText()).isEqualTo("after-refresh");
        assertThat(viewer.protocolViolations()).isEmpty();
        assertThat(fixture.server().scrapeMetrics())
                .containsPattern("(?m)^nova_token_refreshes_total\\{[^}]*outcome=\"accepted\"[^}]*\\} [1-9]");
        viewer.close();
    }

    @Test
    void aTokenOfAnotherViewerIsRefusedAndTheConnectionStillClosesAtTheOriginalExpiry() {
        String token = closedInAbout(fixture.nextViewerId(), 4);
        ViewerClient viewer = connect(token);
        awaitError(viewer, "TOKEN_EXPIRED");

        viewer.send(refresh(fixture.viewerToken(fixture.nextViewerId())));

        ViewerClient.Received refusal = awaitError(viewer, "INVALID_TOKEN");
        assertThat(refusal.hasSeq()).isFalse();
        assertThat(refusal.data().get("error_message").asText())
                .isEqualTo("refresh_token refused: the token is for another viewer");
        assertThat(refusal.data().get("recoverable").asBoolean()).isTrue();
        assertThat(viewer.closedNow()).as("a refused refresh does not close").isNull();

        sleepUntil(closeDue(token).minus(EARLY_MARGIN));
        assertThat(viewer.closedNow()).isNull();
        ViewerClient.Closed closed = viewer.awaitClose(WAIT);
        assertThat(Instant.now()).isBetween(closeDue(token).minusMillis(50), closeDue(token).plusSeconds(3));
        assertThat(closed.code()).isEqualTo(1008);
        assertThat(closed.reason()).isEqualTo("token expired");
        assertThat(viewer.history("token_refreshed")).isEmpty();
        assertThat(fixture.server().scrapeMetrics())
                .containsPattern("(?m)^nova_token_refreshes_total\\{[^}]*outcome=\"other_viewer\"[^}]*\\} [1-9]");
    }

    @Test
    void aMalformedRefreshTokenClosesWith1003LikeAnyInvalidMessage() {
        ViewerClient missing = fixture.viewer(STREAM);
        missing.send("{\"event\":\"refresh_token\",\"data\":{}}");
        ViewerClient.Closed closed = missing.awaitClose(WAIT);
        assertThat(closed.code()).isEqualTo(1003);
        assertThat(closed.reason()).isEqualTo("data.token: required");

        ViewerClient empty = fixture.viewer(STREAM);
        empty.send(refresh(""));
        closed = empty.awaitClose(WAIT);
        assertThat(closed.code()).isEqualTo(1003);
        assertThat(closed.reason()).isEqualTo("data.token: expected a string of 1..8192 characters");
    }
}
