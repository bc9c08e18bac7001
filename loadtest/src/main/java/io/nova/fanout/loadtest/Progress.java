package io.nova.fanout.loadtest;

import io.nova.fanout.loadtest.latency.LatencyBook;
import io.nova.fanout.loadtest.latency.Millis;
import io.nova.fanout.loadtest.publish.PublishStats;
import io.nova.fanout.loadtest.report.Format;
import io.nova.fanout.loadtest.report.RunReport.TimelinePoint;
import io.nova.fanout.loadtest.viewer.ViewerStats;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;

/**
 * The run's clock face: waits for each phase of the run to finish, and meanwhile, once a second on the
 * second, harvests the latencies, prints a progress line and keeps it as a point of the timeline. Used by the
 * run's main thread only.
 */
final class Progress {
    private static final long TICK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How often a wait checks its condition between ticks. */
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final PrintStream out;
    private final LatencyBook latency;
    private final ViewerStats viewers;
    private final PublishStats publisher;
    private final int viewerTarget;
    private final List<TimelinePoint> timeline = new ArrayList<>();
    private long startNanos;
    private long nextTickNanos;
    private long lastTickNanos;

    Progress(PrintStream out, LatencyBook latency, ViewerStats viewers, PublishStats publisher, int viewerTarget) {
        this.out = out;
        this.latency = latency;
        this.viewers = viewers;
        this.publisher = publisher;
        this.viewerTarget = viewerTarget;
    }

    void start() {
        startNanos = System.nanoTime();
        lastTickNanos = startNanos;
        nextTickNanos = startNanos + TICK_NANOS;
    }

    /**
     * Ticks until {@code done} holds or {@code deadlineNanos} (a {@code System.nanoTime()} value) passes.
     *
     * @param phase names the phase in each progress line; asked at every tick
     * @return whether {@code done} held before the deadline
     */
    boolean runUntil(Supplier<String> phase, BooleanSupplier done, long deadlineNanos) {
        // Each pass sleeps until the next tick, the next poll or the deadline, so this ends at the deadline.
        while (true) {
            if (done.getAsBoolean()) {
                return true;
            }
            long now = System.nanoTime();
            if (now - deadlineNanos >= 0) {
                return false;
            }
            if (now - nextTickNanos >= 0) {
                tick(phase.get(), now);
                continue;
            }
            LockSupport.parkNanos(Math.min(Math.min(nextTickNanos, deadlineNanos) - now, POLL_NANOS));
            if (Thread.interrupted()) {
                throw new LoadTestException("interrupted");
            }
        }
    }

    /** One point per second of the run so far. */
    List<TimelinePoint> timeline() {
        return List.copyOf(timeline);
    }

    private void tick(String phase, long now) {
        latency.harvest();
        Histogram interval = latency.takeInterval();
        double seconds = (now - lastTickNanos) / 1e9;
        lastTickNanos = now;
        long second = Math.round((nextTickNanos - startNanos) / 1e9);
        // Stay on whole seconds since the start, skipping any the run was too busy to tick on.
        nextTickNanos += TICK_NANOS * (1 + (now - nextTickNanos) / TICK_NANOS);
        double perSecond = interval.getTotalCount() / seconds;
        Double p50 = interval.getTotalCount() == 0 ? null : Millis.of(interval.getValueAtPercentile(50));
        Double p99 = interval.getTotalCount() == 0 ? null : Millis.of(interval.getValueAtPercentile(99));
        long errors = viewers.errors() + publisher.errors();
        long drops = viewers.dropNotices();
        int connected = viewers.connectedNow();
        timeline.add(new TimelinePoint(second, phase, connected, Math.round(perSecond * 10) / 10.0, p50, p99, errors, drops));
        out.printf(Locale.ROOT,
                "[%4ds] %-16s connected %7d/%d  recv %9.0f msg/s  p50 %8s ms  p99 %8s ms  errors %d  drop notices %d%n",
                second, phase, connected, viewerTarget, perSecond, Format.ms(p50), Format.ms(p99), errors, drops);
    }
}
