package io.nova.fanout.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.nova.fanout.protocol.IssueSeverity;
import io.nova.fanout.protocol.IssueType;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The server's meters. Counters are created when bound and incremented by the data path; gauges read live
 * state when scraped. Tags come from small closed sets only (outcomes, close codes, issue enums).
 */
public final class NovaMetrics implements MeterBinder {
    private final IntSupplier viewersConnected;
    private final IntSupplier streamsLive;
    private final Map<IssueType, Map<IssueSeverity, Counter>> issues = new EnumMap<>(IssueType.class);
    private final Map<String, Counter> handshakes = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> closes = new ConcurrentHashMap<>();
    private final Map<String, Counter> refreshes = new ConcurrentHashMap<>();
    private MeterRegistry registry;
    private Counter sent;
    private Counter dropped;
    private Timer rtt;
    private Counter tokenExpirations;
    private Timer fanoutLatency;
    /** Changed only when a viewer's buffer turns non-empty or empty again, not per message. */
    private final AtomicInteger lagging = new AtomicInteger();

    public NovaMetrics(IntSupplier viewersConnected, IntSupplier streamsLive) {
        this.viewersConnected = viewersConnected;
        this.streamsLive = streamsLive;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        this.registry = registry;
        Gauge.builder(MetricNames.VIEWERS_CONNECTED.meterName(), viewersConnected, IntSupplier::getAsInt)
                .description(MetricNames.VIEWERS_CONNECTED.description()).register(registry);
        Gauge.builder(MetricNames.STREAMS_LIVE.meterName(), streamsLive, IntSupplier::getAsInt)
                .description(MetricNames.STREAMS_LIVE.description()).register(registry);
        sent = counter(MetricNames.MESSAGES_SENT).register(registry);
        dropped = counter(MetricNames.MESSAGES_DROPPED).register(registry);
        tokenExpirations = counter(MetricNames.TOKEN_EXPIRATIONS).register(registry);
        Gauge.builder(MetricNames.VIEWERS_LAGGING.meterName(), lagging, AtomicInteger::get)
                .description(MetricNames.VIEWERS_LAGGING.description()).register(registry);
        fanoutLatency = Timer.builder(MetricNames.FANOUT_LATENCY.meterName())
                .description(MetricNames.FANOUT_LATENCY.description())
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(10)).register(registry);
        rtt = Timer.builder(MetricNames.VIEWER_RTT.meterName()).description(MetricNames.VIEWER_RTT.description())
                .publishPercentileHistogram().register(registry);
        for (IssueType type : IssueType.values()) {
            Map<IssueSeverity, Counter> bySeverity = new EnumMap<>(IssueSeverity.class);
            for (IssueSeverity severity : IssueSeverity.values()) {
                bySeverity.put(severity, counter(MetricNames.VIEWER_ISSUES)
                        .tag("issue_type", type.wireName()).tag("severity", severity.wireName()).register(registry));
            }
            issues.put(type, bySeverity);
        }
    }

    public void messagesSent(int count) {
        sent.increment(count);
    }

    public void messageDropped() {
        dropped.increment();
    }

    /** @param lagging whether a viewer's buffer has just turned non-empty, or empty again */
    public void viewerLagging(boolean lagging) {
        if (lagging) {
            this.lagging.incrementAndGet();
        } else {
            this.lagging.decrementAndGet();
        }
    }

    public void fanoutLatency(long nanos) {
        fanoutLatency.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void rtt(long nanos) {
        rtt.record(nanos, TimeUnit.NANOSECONDS);
    }

    public void issueReported(IssueType type, IssueSeverity severity) {
        issues.get(type).get(severity).increment();
    }

    /** @param outcome "accepted" or a refusal's error code: a closed set */
    public void handshake(String outcome) {
        handshakes.computeIfAbsent(outcome, o -> counter(MetricNames.HANDSHAKES).tag("outcome", o).register(registry))
                .increment();
    }

    /** @param outcome "accepted" or why a refresh_token was refused: a closed set */
    public void tokenRefresh(String outcome) {
        refreshes.computeIfAbsent(outcome, o -> counter(MetricNames.TOKEN_REFRESHES).tag("outcome", o)
                .register(registry)).increment();
    }

    /** A viewer was closed because its token expired without a refresh. */
    public void tokenExpired() {
        tokenExpirations.increment();
    }

    /** @param code a WebSocket close code the server sent; codes form a small closed set */
    public void serverClose(int code) {
        closes.computeIfAbsent(code, c -> counter(MetricNames.CLIENT_CLOSES).tag("code", Integer.toString(c))
                .register(registry)).increment();
    }

    /**
     * The counter of a TLS port's failed handshakes for one reason; registered when the port starts, so that
     * every series exists, at zero, from then on.
     *
     * @param port "viewer" or "internal"
     * @param reason one of a closed set
     */
    public Counter tlsHandshakeFailures(String port, String reason) {
        return counter(MetricNames.TLS_HANDSHAKE_FAILURES).tag("port", port).tag("reason", reason).register(registry);
    }

    /** The counter of a TLS port's reloads with {@code outcome}: "applied", or "failed" when the old pair stays. */
    public Counter tlsReloads(String port, String outcome) {
        return counter(MetricNames.TLS_RELOADS).tag("port", port).tag("outcome", outcome).register(registry);
    }

    /** Reads the expiry of the certificate a port serves when scraped. */
    public void tlsCertificateExpiry(String port, LongSupplier notAfterEpochSeconds) {
        Gauge.builder(MetricNames.TLS_CERTIFICATE_EXPIRY.meterName(), notAfterEpochSeconds, LongSupplier::getAsLong)
                .description(MetricNames.TLS_CERTIFICATE_EXPIRY.description()).baseUnit("seconds")
                .tag("port", port).strongReference(true).register(registry);
    }

    private static Counter.Builder counter(MetricNames name) {
        return Counter.builder(name.meterName()).description(name.description());
    }
}
