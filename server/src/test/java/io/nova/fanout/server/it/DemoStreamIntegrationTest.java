package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** With the demo stream on, a first visitor finds a live stream that changes by itself, and the page for it. */
class DemoStreamIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(15);

    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void theDemoStreamIsLiveFromTheStartAndChangesByItself() {
        fixture = ServerFixture.start(b -> b.demoStream(true));

        ViewerClient viewer = fixture.viewer("demo-live");
        ViewerClient.Received started = viewer.awaitEvent("stream_started", WAIT);
        assertThat(started.data().get("title").asText()).isEqualTo("Nova Fanout demo stream");
        ViewerClient.Received measured = viewer.awaitEvent("bitrate_update", WAIT);
        assertThat(measured.seq()).isGreaterThan(started.seq());
        assertThat(measured.data().get("current_bitrate_kbps").asInt()).isPositive();
    }

    @Test
    void theViewerPortServesTheDemoPageAndTheClient() {
        fixture = ServerFixture.start();

        RawHttp.Response page = RawHttp.get(fixture.port(), "/");
        assertThat(page.status()).isEqualTo(200);
        assertThat(page.header("content-type")).isEqualTo("text/html; charset=utf-8");
        assertThat(page.bodyText()).contains("<title>Nova Fanout demo player</title>");

        RawHttp.Response client = RawHttp.get(fixture.port(), "/client/nova-viewer.js");
        assertThat(client.status()).isEqualTo(200);
        assertThat(client.header("content-type")).isEqualTo("text/javascript; charset=utf-8");
        assertThat(client.header("access-control-allow-origin")).isEqualTo("*");
        assertThat(client.bodyText()).contains("export class NovaViewer");
    }
}
