package io.nova.fanout.loadtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nova.fanout.loadtest.testing.LeakReports;
import io.nova.fanout.server.NovaServer;
import io.nova.fanout.server.ServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A short real run against a server started in this JVM: 60 viewers on 3 streams, 10% of them slow,
 * 20 events a second per stream for 3 s after a 500 ms warmup.
 */
class LoadTestIntegrationTest {
    private static final String SECRET = "loadtest-integration-secret-0123456789";
    private static final int VIEWERS = 60;
    private static final int STREAMS = 3;
    private static final double RATE = 20;
    private static final double SECONDS = 3;

    private static NovaServer server;
    private static JsonNode report;
    private static String html;
    private static String stdout;

    @TempDir
    static Path files;

    @BeforeAll
    static void runAgainstAnInProcessServer() throws Exception {
        // A load test is, to the server, a flood from one address: per-address limits off, as docs/loadtest.md says.
        server = NovaServer.start(ServerConfig.builder().host("127.0.0.1").port(0).internalPort(0)
                .jwtSecret(SECRET.getBytes(UTF_8)).maxConnectionsPerIp(0).handshakeRatePerIp(0, 1).build());
        Path json = files.resolve("report.json");
        Path page = files.resolve("report.html");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int exit = LoadTestMain.run(new String[] {
                "--url", "ws://127.0.0.1:" + server.port(),
                "--internal-url", "http://127.0.0.1:" + server.internalPort(),
                "--metrics-url", "http://127.0.0.1:" + server.internalPort() + "/metrics",
                "--jwt-secret", SECRET,
                "--viewers", String.valueOf(VIEWERS), "--streams", String.valueOf(STREAMS),
                "--publish-rate", String.valueOf(RATE), "--duration", "3s", "--warmup", "500ms",
                "--slow-fraction", "0.1", "--label", "in-process",
                "--report", json.toString(), "--html", page.toString()},
                new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));

        stdout = out.toString(UTF_8);
        assertThat(err.toString(UTF_8)).isEmpty();
        assertThat(exit).as(stdout).isEqualTo(LoadTestMain.EXIT_OK);
        report = new ObjectMapper().readTree(json.toFile());
        html = Files.readString(page);
    }

    @AfterAll
    static void stopServerAndCheckForLeaks() throws InterruptedException {
        if (server != null) {
            server.close();
        }
        assertThat(LeakReports.collect()).as("Netty buffer leak reports").isEmpty();
    }

    @Test
    void everyViewerConnects() {
        JsonNode connect = report.get("connect");
        assertThat(connect.get("attempted").asLong()).isEqualTo(VIEWERS);
        assertThat(connect.get("connected").asLong()).isEqualTo(VIEWERS);
        assertThat(connect.get("failed").asLong()).isZero();
        assertThat(connect.get("refused").size()).isZero();
        assertThat(connect.get("latency_ms").get("count").asLong()).isEqualTo(VIEWERS);
        assertThat(connect.get("latency_ms").get("p50").asDouble()).isPositive();
    }

    @Test
    void healthyViewersReceiveEveryEventPublishedAfterTheWarmup() {
        JsonNode delivery = report.get("delivery");
        assertThat(delivery.get("publish_errors").asLong()).isZero();
        long published = delivery.get("published").asLong();
        assertThat(published).isCloseTo((long) (RATE * SECONDS * STREAMS), org.assertj.core.data.Offset.offset(STREAMS + 0L));

        long expected = 0;
        for (JsonNode stream : report.get("streams")) {
            assertThat(stream.get("viewers").asInt()).isEqualTo(VIEWERS / STREAMS);
            assertThat(stream.get("healthy_viewers").asInt()).isEqualTo(18);
            expected += stream.get("published").asLong() * stream.get("healthy_viewers").asLong();
        }
        long healthyReceived = delivery.get("healthy_received").asLong();
        // The drain waits for deliveries to stop; a straggler still on the wire then is all the slack allowed.
        assertThat(healthyReceived).isBetween(expected - expected / 500, expected);
        assertThat(delivery.get("received").asLong()).isGreaterThanOrEqualTo(healthyReceived);
        assertThat(delivery.get("healthy_gaps").asLong()).isZero();
        assertThat(delivery.get("messages_per_second").asDouble()).isCloseTo(healthyReceived / SECONDS,
                org.assertj.core.data.Percentage.withPercentage(10));
    }

    @Test
    void latencyFiguresArePresentAndOrdered() {
        for (String field : new String[] {"latency_ms", "healthy_latency_ms"}) {
            JsonNode latency = report.get("delivery").get(field);
            assertThat(latency.get("count").asLong()).as(field).isPositive();
            double p50 = latency.get("p50").asDouble();
            assertThat(p50).as(field).isPositive();
            assertThat(latency.get("p90").asDouble()).isGreaterThanOrEqualTo(p50);
            assertThat(latency.get("p99").asDouble()).isGreaterThanOrEqualTo(latency.get("p90").asDouble());
            assertThat(latency.get("p999").asDouble()).isGreaterThanOrEqualTo(latency.get("p99").asDouble());
            assertThat(latency.get("max").asDouble()).isGreaterThanOrEqualTo(latency.get("p999").asDouble());
            assertThat(latency.get("mean").asDouble()).isPositive();
        }
        JsonNode distribution = report.get("percentile_distribution");
        assertThat(distribution.size()).isGreaterThan(5);
        assertThat(distribution.get(distribution.size() - 1).get("percentile").asDouble()).isEqualTo(100.0);
        assertThat(distribution.get(0).get("latency_ms").asDouble()).isPositive();
    }

    @Test
    void reportHasTheDocumentedShape() {
        assertThat(report.get("label").asText()).isEqualTo("in-process");
        for (String field : new String[] {"url", "internal_url", "started_at", "finished_at", "machine", "options", "connect",
                "delivery", "steps", "drop_notices", "dropped_messages", "closes", "errors", "timeline",
                "percentile_distribution", "server_metrics"}) {
            assertThat(report.has(field)).as(field).isTrue();
        }
        assertThat(report.get("machine").get("cores").asInt()).isPositive();
        assertThat(report.get("machine").has("max_open_files")).isTrue();
        assertThat(report.get("options").get("viewers").asInt()).isEqualTo(VIEWERS);
        assertThat(report.get("options").get("jwt_secret").asText()).isEqualTo("<redacted>");
        for (String field : new String[] {"attempted", "connected", "failed", "refused", "duration_seconds", "rate_per_second"}) {
            assertThat(report.get("connect").has(field)).as(field).isTrue();
        }
        for (String field : new String[] {"published", "publish_errors", "received", "messages_per_second", "gaps",
                "healthy_latency_ms"}) {
            assertThat(report.get("delivery").has(field)).as(field).isTrue();
        }
        assertThat(report.get("steps").size()).isZero();
        assertThat(report.get("errors").asLong()).isZero();
        JsonNode second = report.get("timeline").get(0);
        for (String field : new String[] {"second", "connected", "messages_per_second", "p50_ms", "p99_ms", "errors", "drop_notices"}) {
            assertThat(second.has(field)).as(field).isTrue();
        }
        assertThat(report.get("server_metrics").get("after").get("nova_viewers_connected").asDouble()).isEqualTo(VIEWERS);
        assertThat(report.get("server_metrics").get("before").get("nova_viewers_connected").asDouble()).isZero();
    }

    @Test
    void printsProgressAndSummaryAndWritesAPageWithCharts() {
        assertThat(stdout).contains("] publishing ").contains("nova-loadtest summary: in-process")
                .contains("delivery, healthy viewers").contains("nova_viewers_connected");
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<svg").contains("in-process")
                .doesNotContain("<script").doesNotContain("http://fonts").doesNotContain("https://");
    }
}
