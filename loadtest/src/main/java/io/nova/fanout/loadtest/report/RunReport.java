package io.nova.fanout.loadtest.report;

import io.nova.fanout.loadtest.latency.LatencySummary;
import io.nova.fanout.loadtest.latency.PercentilePoint;
import io.nova.fanout.loadtest.system.MachineInfo;
import java.util.List;
import java.util.Map;

/**
 * Every figure of a run, as {@code --report} writes it (field names in snake_case) and the summary and
 * {@code --html} show it. Benchmark scripts read these names: keep them stable, add rather than rename.
 *
 * @param options every option of the run, secrets redacted
 * @param steps one entry per rate step; empty without {@code --rate-steps}
 * @param closes connections the server closed, by close code (1006: lost without a close frame)
 * @param errors failed connects, failed publishes, server closes, unreadable frames and seq regressions
 * @param timeline one point per second of the run
 * @param percentileDistribution delivery latency at every viewer after the warmup
 * @param healthyPercentileDistribution the same at healthy viewers only
 * @param serverMetrics scraped from {@code --metrics-url}, or {@code null} without it
 */
public record RunReport(String label, String url, String internalUrl, String startedAt, String finishedAt,
                        String transport, MachineInfo machine, Map<String, Object> options, ConnectFigures connect,
                        DeliveryFigures delivery, List<StepFigures> steps, List<StreamFigures> streams,
                        long dropNotices, long droppedMessages, Map<String, Long> closes, long errors,
                        List<TimelinePoint> timeline, List<PercentilePoint> percentileDistribution,
                        List<PercentilePoint> healthyPercentileDistribution, ServerMetrics serverMetrics) {

    /**
     * @param attempted connects started, reconnects after churn included
     * @param connected connects that got as far as {@code connection_established}
     * @param connectedAtEnd viewers still connected when the run ended (a viewer that stopped reading may not
     *        have noticed that the server dropped it)
     * @param refused refused connects by HTTP status
     * @param failureReasons other failed connects by reason
     * @param durationSeconds from the first connect until every viewer's first connect settled
     * @param ratePerSecond viewers connected by the initial connects, per second of that
     * @param latencyMs from the start of the TCP connect to {@code connection_established}
     */
    public record ConnectFigures(long attempted, long connected, long failed, long connectedAtEnd, Map<String, Long> refused,
                                 Map<String, Long> failureReasons, double durationSeconds, double ratePerSecond,
                                 int sourceAddressesExhausted, LatencySummary latencyMs) {
    }

    /**
     * Deliveries of events scheduled after the warmup.
     *
     * @param published events the server accepted
     * @param publishErrors publishes that failed, warmup included
     * @param received {@code bitrate_update}s received by all viewers
     * @param healthyReceived the same, by healthy viewers only
     * @param messagesPerSecond {@code received} per second of the measured publishing phase
     * @param gaps stream events viewers missed, told by {@code seq} jumps
     * @param publisherMaxLagMs how far behind schedule the publisher sent at worst (included in latencies)
     * @param latencyMs from each event's scheduled send time to its receipt, at every viewer
     * @param healthyLatencyMs the same at healthy viewers only
     */
    public record DeliveryFigures(long published, long publishErrors, Map<String, Long> publishErrorReasons,
                                  long received, long healthyReceived, double measuredSeconds,
                                  double messagesPerSecond, long gaps, long healthyGaps, double publisherMaxLagMs,
                                  double publisherMeanLagMs, LatencySummary latencyMs, LatencySummary healthyLatencyMs) {
    }

    /**
     * One rate step.
     *
     * @param completed false for the step cut short because the one before it passed {@code --stop-above-p99}
     */
    public record StepFigures(int step, double publishRate, double durationSeconds, boolean completed, long received,
                              double messagesPerSecond, LatencySummary latencyMs,
                              List<PercentilePoint> percentileDistribution) {
    }

    /** @param published events of this stream the server accepted, scheduled after the warmup */
    public record StreamFigures(String streamId, int viewers, int healthyViewers, long published) {
    }

    /**
     * One second of the run, as its progress line showed it.
     *
     * @param messagesPerSecond {@code bitrate_update}s received in that second, warmup included
     * @param p50Ms of those, or {@code null} if none
     * @param errors so far
     * @param dropNotices so far
     */
    public record TimelinePoint(long second, String phase, long connected, double messagesPerSecond, Double p50Ms,
                                Double p99Ms, long errors, long dropNotices) {
    }

    /** Every sample of the server's Prometheus endpoint, keyed by name with labels, before and after the run. */
    public record ServerMetrics(Map<String, Double> before, Map<String, Double> after) {
    }
}
