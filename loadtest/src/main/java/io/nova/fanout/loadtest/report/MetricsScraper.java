package io.nova.fanout.loadtest.report;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Fetches the server's Prometheus metrics. Twice a run is not a hot path, so this is the JDK's client, one
 * synchronous request at a time.
 */
public final class MetricsScraper {
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private final URI url;

    public MetricsScraper(URI url) {
        this.url = url;
    }

    /** The samples, or empty (with the reason in {@code problem}) if the endpoint could not be read. */
    public Optional<Map<String, Double>> scrape(StringBuilder problem) {
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(url).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                problem.append("HTTP ").append(response.statusCode());
                return Optional.empty();
            }
            return Optional.of(PrometheusText.parse(response.body()));
        } catch (IOException e) {
            problem.append(e);
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            problem.append("interrupted");
            return Optional.empty();
        }
    }
}
