package io.nova.fanout.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.nova.fanout.server.metrics.MetricNames;
import io.nova.fanout.server.testing.JwksFixture;
import io.nova.fanout.server.testing.RepositoryRoot;
import io.nova.fanout.server.testing.TestCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/operations.md's table of metrics is what a real server's {@code /metrics} serves: every metric in
 * the table is scraped once the server has seen each kind of traffic, and every name of {@link MetricNames}
 * is in the table.
 */
class MetricsDocIntegrationTest {
    private static final Pattern ROW = Pattern.compile("\\| `((?:nova|netty)_[a-z_]+)(?:\\{[^}]*\\})?` \\|.*");
    private static final Duration WAIT = Duration.ofSeconds(15);

    private static final String TLS_METRICS = "nova_tls_";

    @TempDir
    Path dir;
    private ServerFixture fixture;
    private JwksFixture jwks;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
        if (jwks != null) {
            jwks.close();
        }
    }

    @Test
    void everyDocumentedMetricIsScrapedAndEveryMeterIsDocumented() throws IOException {
        List<String> documented = documentedMetrics();
        for (MetricNames name : MetricNames.values()) {
            String prometheus = name.meterName().replace('.', '_');
            assertThat(documented).as("%s in docs/operations.md", name)
                    .anySatisfy(metric -> assertThat(metric).startsWith(prometheus));
        }

        // A JWKS beside the secret, so that the JWKS meters are served too.
        jwks = JwksFixture.serve(JwksFixture.ecKey("metered"));
        fixture = ServerFixture.start(b -> b.pingInterval(Duration.ofMillis(200)).pingTimeout(Duration.ofSeconds(5))
                .idleTimeout(Duration.ofSeconds(30)).jwksUrl(jwks.uri().toString()));
        fixture.broadcaster().goLive("metered");
        ViewerClient viewer = fixture.viewer("metered");
        viewer.awaitEvent("stream_started", WAIT);
        viewer.awaitEvent("ping", WAIT); // answered by the client: a round-trip time
        assertThat(fixture.broadcaster().events("metered",
                "{\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":4000}}").status()).isEqualTo(200);
        viewer.awaitEvent("bitrate_update", WAIT);
        viewer.send("{\"event\":\"refresh_token\",\"data\":{\"token\":\"not.a.jwt\"}}");
        viewer.await(m -> "INVALID_TOKEN".equals(m.data().path("error_code").asText()), "INVALID_TOKEN", WAIT);
        assertThat(RawHttp.upgrade(fixture.port(), "/api/v1/streams/metered/ws?token=forged", java.util.Map.of()).status())
                .isEqualTo(401);
        fixture.broadcaster().end("metered", "broadcaster_ended");
        assertThat(viewer.awaitClose(WAIT).code()).isEqualTo(1000);

        String scraped = fixture.server().scrapeMetrics();
        for (String metric : documented) {
            if (!metric.startsWith(TLS_METRICS)) {
                assertThat(scraped).as("%s in /metrics", metric).containsPattern("(?m)^" + Pattern.quote(metric) + "[_{ ]");
            }
        }

        // The TLS meters belong to a port that speaks TLS, each series from the start.
        TestCertificate certificate = TestCertificate.selfSigned("127.0.0.1");
        certificate.writeTo(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        try (ServerFixture tls = ServerFixture.start(b -> b.tls(dir.resolve("cert.pem"), dir.resolve("key.pem")))) {
            String tlsScraped = tls.server().scrapeMetrics();
            for (String metric : documented) {
                if (metric.startsWith(TLS_METRICS)) {
                    assertThat(tlsScraped).as("%s in /metrics", metric)
                            .containsPattern("(?m)^" + Pattern.quote(metric) + "[_{ ]");
                }
            }
        }
    }

    private static List<String> documentedMetrics() throws IOException {
        List<String> names = new ArrayList<>();
        for (String line : Files.readAllLines(RepositoryRoot.doc("operations.md"), UTF_8)) {
            Matcher row = ROW.matcher(line);
            if (row.matches()) {
                names.add(row.group(1));
            }
        }
        assertThat(names).as("metric rows in docs/operations.md").hasSizeGreaterThan(10);
        return names;
    }
}
