package io.nova.fanout.server.it;

import static io.nova.fanout.server.it.ItAssertions.sleep;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Application-level ping/pong, the ping and idle timeouts, and protocol-level pings. */
class HeartbeatIntegrationTest {
    private static final String STREAM = "heartbeat";
    private static final Pattern RTT_COUNT = Pattern.compile("(?m)^nova_viewer_rtt_seconds_count\\S* (\\S+)$");

    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private void start(Duration pingInterval, Duration pingTimeout, Duration idleTimeout) {
        fixture = ServerFixture.start(b -> b.pingInterval(pingInterval).pingTimeout(pingTimeout).idleTimeout(idleTimeout));
        fixture.broadcaster().goLive(STREAM);
    }

    /** Ping every 200 ms, 200 ms to answer, 1 s of silence allowed. */
    private void startFast() {
        start(Duration.ofMillis(200), Duration.ofMillis(200), Duration.ofSeconds(1));
    }

    @Test
    void clientThatNeverAnswersPingsIsClosedWith4000PingTimeout() {
        startFast();
        long started = System.nanoTime();
        ViewerClient viewer = fixture.viewer(STREAM);
        ViewerClient.Received ping = viewer.awaitEvent("ping", Duration.ofSeconds(2));
        assertThat(ping.hasSeq()).as("ping is connection-level").isFalse();
        assertThat(ping.data().get("sequence").asLong()).isEqualTo(1);
        assertThat(ping.data().get("timestamp").asText()).matches(ItAssertions.ISO_MILLIS_UTC);

        ViewerClient.Closed closed = viewer.awaitClose(Duration.ofSeconds(3));
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(closed.code()).isEqualTo(4000);
        assertThat(closed.reason()).isEqualTo("ping timeout");
        // The ping goes out at ~200 ms and is unanswered 200 ms later (the reason tells it from the idle timeout).
        assertThat(elapsedMillis).isBetween(300L, 2_000L);
        assertThat(viewer.protocolViolations()).isEmpty();
    }

    @Test
    void clientThatEchoesPingSequencesStaysConnectedAndIsMeasured() {
        startFast();
        ViewerClient viewer = fixture.viewer(STREAM, new ViewerClient.Options().pongMode(ViewerClient.PongMode.ECHO));
        sleep(2_500);
        assertThat(viewer.closedNow()).isNull();
        List<ViewerClient.Received> pings = viewer.history("ping");
        assertThat(pings.size()).isGreaterThanOrEqualTo(5);
        for (int i = 0; i < pings.size(); i++) {
            assertThat(pings.get(i).data().get("sequence").asLong()).as("per-connection ping sequence").isEqualTo(i + 1);
        }
        assertThat(rttCount(fixture.server().scrapeMetrics())).isGreaterThan(0);
        viewer.close();
    }

    @Test
    void seedStyleClientWithUnsequencedPongsStaysConnected() {
        startFast();
        ViewerClient viewer = fixture.viewer(STREAM, new ViewerClient.Options().seedPongs(Duration.ofMillis(150)));
        sleep(2_500);
        assertThat(viewer.closedNow()).isNull();
        assertThat(viewer.history("ping")).hasSizeGreaterThanOrEqualTo(5);
        assertThat(rttCount(fixture.server().scrapeMetrics())).as("unsequenced pongs are not measured").isZero();
        viewer.close();
    }

    @Test
    void silentClientIsClosedWith4000IdleTimeout() {
        // The ping timeout is longer than the idle timeout, so only the idle timeout can fire.
        start(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(800));
        long started = System.nanoTime();
        ViewerClient viewer = fixture.viewer(STREAM);
        ViewerClient.Closed closed = viewer.awaitClose(Duration.ofSeconds(3));
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        assertThat(closed.code()).isEqualTo(4000);
        assertThat(closed.reason()).isEqualTo("idle timeout");
        assertThat(elapsedMillis).isBetween(700L, 2_500L);
        assertThat(viewer.history("ping")).as("one ping, unanswered, its timeout not yet run out").hasSize(1);
    }

    @Test
    void anyClientMessageCountsAsActivity() {
        start(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(800));
        ViewerClient viewer = fixture.viewer(STREAM);
        for (int i = 0; i < 12; i++) {
            viewer.send("{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"keepalive-" + i + "\"}}");
            sleep(125);
        }
        assertThat(viewer.closedNow()).as("1.5 s of activity with an 800 ms idle timeout").isNull();
        viewer.close();
    }

    @Test
    void protocolLevelPingFramesCountAsActivity() {
        start(Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofMillis(800));
        ViewerClient viewer = fixture.viewer(STREAM);
        viewer.awaitEvent("connection_established", Duration.ofSeconds(2));
        for (int i = 0; i < 12; i++) {
            viewer.sendPing(new byte[] {(byte) i}).join();
            sleep(125);
        }
        assertThat(viewer.closedNow()).as("1.5 s of ping frames with an 800 ms idle timeout").isNull();
        viewer.close();
    }

    @Test
    void protocolLevelPingFramesGetPongFrames() {
        startFast();
        ViewerClient viewer = fixture.viewer(STREAM, new ViewerClient.Options().pongMode(ViewerClient.PongMode.ECHO));
        viewer.awaitEvent("connection_established", Duration.ofSeconds(2));
        for (int i = 0; i < 3; i++) {
            viewer.sendPing(new byte[] {1, 2, (byte) i}).join();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(2).toNanos();
        while (viewer.protocolPongs() < 3 && System.nanoTime() < deadline) {
            sleep(10);
        }
        assertThat(viewer.protocolPongs()).isEqualTo(3);
        viewer.close();
    }

    static double rttCount(String scrape) {
        Matcher m = RTT_COUNT.matcher(scrape);
        assertThat(m.find()).as("nova_viewer_rtt_seconds_count in%n%s", scrape).isTrue();
        return Double.parseDouble(m.group(1));
    }
}
