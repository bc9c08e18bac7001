package io.nova.fanout.loadtest;

import io.nova.fanout.loadtest.latency.LatencyBook;
import io.nova.fanout.loadtest.latency.LatencySummary;
import io.nova.fanout.loadtest.latency.PercentilePoint;
import io.nova.fanout.loadtest.plan.RatePhase;
import io.nova.fanout.loadtest.publish.PublishStats;
import io.nova.fanout.loadtest.report.RunReport;
import io.nova.fanout.loadtest.report.RunReport.TimelinePoint;
import io.nova.fanout.loadtest.system.MachineInfo;
import io.nova.fanout.loadtest.time.IsoMillis;
import io.nova.fanout.loadtest.viewer.StreamAudience;
import io.nova.fanout.loadtest.viewer.ViewerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** Turns the counters and histograms of a finished run into its {@link RunReport}. */
final class ReportAssembler {
    private final LoadTestSettings settings;
    private final LatencyBook latency;
    private final ViewerStats viewers;
    private final PublishStats publisher;

    ReportAssembler(LoadTestSettings settings, LatencyBook latency, ViewerStats viewers, PublishStats publisher) {
        this.settings = settings;
        this.latency = latency;
        this.viewers = viewers;
        this.publisher = publisher;
    }

    /**
     * @param initialConnects how long the initial connects took, and how many of them succeeded
     * @param sourceAddressesExhausted source addresses that ran out of ports during the run
     */
    RunReport assemble(long startedAtMillis, String transport, Duration initialConnects, long initiallyConnected,
                       int sourceAddressesExhausted, PublishingResult publishing, List<StreamAudience> audiences,
                       List<TimelinePoint> timeline, RunReport.ServerMetrics serverMetrics) {
        double connectSeconds = initialConnects.toNanos() / 1e9;
        RunReport.ConnectFigures connect = new RunReport.ConnectFigures(viewers.attempted(), viewers.establishedTotal(),
                viewers.failedTotal(), viewers.connectedNow(), stringKeys(viewers.refusals()), viewers.failureReasons(),
                round(connectSeconds, 3),
                connectSeconds == 0 ? 0 : round(initiallyConnected / connectSeconds, 1), sourceAddressesExhausted,
                LatencySummary.of(latency.connect()));

        double measuredSeconds = publishing.measuredSeconds();
        long received = latency.measured().getTotalCount();
        RunReport.DeliveryFigures delivery = new RunReport.DeliveryFigures(publisher.measuredPublished(),
                publisher.errors(), publisher.errorReasons(), received, latency.healthyMeasured().getTotalCount(),
                measuredSeconds, perSecond(received, measuredSeconds), viewers.gaps(), viewers.healthyGaps(),
                publisher.maxLagMillis(), round(publisher.meanLagMillis(), 3), LatencySummary.of(latency.measured()),
                LatencySummary.of(latency.healthyMeasured()));

        List<RunReport.StreamFigures> streams = new ArrayList<>();
        for (int s = 0; s < audiences.size(); s++) {
            StreamAudience audience = audiences.get(s);
            streams.add(new RunReport.StreamFigures(audience.streamId(), audience.viewers(), audience.healthyViewers(),
                    publisher.measuredPublished(s)));
        }

        return new RunReport(settings.label(), settings.url().toString(), settings.internalUrl().toString(),
                IsoMillis.format(startedAtMillis), IsoMillis.format(System.currentTimeMillis()), transport,
                MachineInfo.current(), settings.reportOptions(), connect, delivery, steps(publishing), streams,
                viewers.dropNotices(), viewers.droppedMessages(), stringKeys(viewers.closes()),
                viewers.errors() + publisher.errors(), timeline, PercentilePoint.distributionOf(latency.measured()),
                PercentilePoint.distributionOf(latency.healthyMeasured()), serverMetrics);
    }

    private List<RunReport.StepFigures> steps(PublishingResult publishing) {
        List<RunReport.StepFigures> steps = new ArrayList<>();
        if (publishing.timeline() == null || !publishing.timeline().plan().stepped()) {
            return steps;
        }
        for (RatePhase phase : publishing.timeline().plan().phases()) {
            if (!phase.measured()) {
                continue;
            }
            long start = publishing.timeline().startMillis(phase.index());
            long end = publishing.endMillis(phase.index());
            if (end <= start) {
                break; // Stepping stopped before this step began.
            }
            double seconds = (end - start) / 1_000.0;
            Histogram step = latency.phase(phase.index());
            steps.add(new RunReport.StepFigures(phase.index(), phase.ratePerSecond(), seconds,
                    end == publishing.timeline().endMillis(phase.index()), step.getTotalCount(),
                    perSecond(step.getTotalCount(), seconds), LatencySummary.of(step), PercentilePoint.distributionOf(step)));
        }
        return steps;
    }

    private static <K> Map<String, Long> stringKeys(Map<K, Long> counts) {
        Map<String, Long> converted = new LinkedHashMap<>();
        counts.forEach((key, count) -> converted.put(String.valueOf(key), count));
        return converted;
    }

    private static double perSecond(long count, double seconds) {
        return seconds <= 0 ? 0 : round(count / seconds, 1);
    }

    private static double round(double value, int decimals) {
        double scale = Math.pow(10, decimals);
        return Math.round(value * scale) / scale;
    }
}
