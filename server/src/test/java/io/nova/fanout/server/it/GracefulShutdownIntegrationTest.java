package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A server that stops says goodbye to every viewer: SERVER_SHUTDOWN behind its buffer, then a close 1001. */
class GracefulShutdownIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final int VIEWERS_PER_STREAM = 15;

    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void noViewerIsLeftWithoutServerShutdownAndACloseFrame() {
        fixture = ServerFixture.start(b -> b.shutdownGrace(Duration.ofSeconds(5)));
        List<ViewerClient> viewers = new ArrayList<>();
        for (String stream : List.of("first", "second")) {
            fixture.broadcaster().goLive(stream);
            for (int i = 0; i < VIEWERS_PER_STREAM; i++) {
                ViewerClient viewer = fixture.viewer(stream);
                viewer.awaitEvent("stream_started", WAIT);
                viewers.add(viewer);
            }
            assertThat(fixture.broadcaster().events(stream, Broadcaster.bitrateUpdate(4200).toString()).status())
                    .isEqualTo(200);
        }
        assertThat(RawHttp.get(fixture.port(), "/ready").status()).isEqualTo(200);
        assertThat(RawHttp.get(fixture.internalPort(), "/ready").status()).isEqualTo(200);

        long started = System.nanoTime();
        fixture.server().stop(Duration.ofSeconds(5));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).as("viewers that read are let go at once, not at the end of the grace")
                .isLessThan(Duration.ofSeconds(4));
        for (ViewerClient viewer : viewers) {
            ViewerClient.Closed closed = viewer.awaitClose(WAIT);
            assertThat(closed.code()).as("close code").isEqualTo(1001);
            assertThat(closed.reason()).isEqualTo("server shutting down");
            ViewerClient.Received last = viewer.history().get(viewer.history().size() - 1);
            assertThat(last.event()).isEqualTo("error");
            JsonNode notice = last.data();
            assertThat(notice.get("error_code").asText()).isEqualTo("SERVER_SHUTDOWN");
            assertThat(notice.get("recoverable").asBoolean()).isTrue();
            assertThat(last.hasSeq()).isFalse();
            assertThat(viewer.history("bitrate_update")).as("what was published before still arrived").hasSize(1);
        }
    }

    @Test
    void aViewerThatPausedReadingDoesNotHoldUpTheStopAndFindsItsGoodbyeLater() {
        fixture = ServerFixture.start(b -> b.shutdownGrace(Duration.ofMillis(500)));
        fixture.broadcaster().goLive("paused");
        ViewerClient reading = fixture.viewer("paused");
        ViewerClient paused = fixture.viewer("paused",
                new ViewerClient.Options().pauseAfter(r -> r.event().equals("stream_started")));
        reading.awaitEvent("stream_started", WAIT);
        paused.awaitEvent("stream_started", WAIT);

        long started = System.nanoTime();
        fixture.server().stop(Duration.ofMillis(500));
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(took).as("bounded by the grace, plus a second for close frames")
                .isLessThan(Duration.ofMillis(500 + 1_000 + 1_000));
        assertThat(reading.awaitClose(WAIT).code()).isEqualTo(1001);
        paused.resume();
        assertThat(paused.awaitClose(WAIT).code()).as("the goodbye waited in its socket").isEqualTo(1001);
        assertThat(paused.history("error")).extracting(r -> r.data().get("error_code").asText())
                .containsExactly("SERVER_SHUTDOWN");
    }
}
