package io.nova.fanout.loadtest.latency;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;

/**
 * The latency histograms of one event loop. Only that loop records into them, so a record is a few plain
 * array and field updates with no atomics, which matters at several hundred thousand deliveries a second.
 * {@link LatencyBook} takes what was recorded by swapping in an empty set with a task on the loop itself:
 * the hand-over is ordered by the loop's task queue rather than by a lock or a fence per record.
 */
public final class LoopLatencyRecorder {
    /** Longer latencies are recorded as this: one hour, in microseconds, far beyond any sensible run. */
    static final long MAX_MICROS = 3_600_000_000L;

    private final EventExecutor loop;
    private LatencyHistograms active; // The loop's thread only.

    LoopLatencyRecorder(EventExecutor loop, int phaseCount) {
        this.loop = loop;
        this.active = new LatencyHistograms(phaseCount);
    }

    /** Time from the start of a TCP connect to the receipt of {@code connection_established}. Loop thread only. */
    public void recordConnect(long micros) {
        active.connect.recordValue(clamp(micros));
    }

    /**
     * Time from an event's scheduled send time to its receipt. Loop thread only.
     *
     * @param phase the publishing phase the scheduled time falls in
     * @param healthyViewer whether the viewer reads and answers pings like a well-behaved client
     */
    public void recordDelivery(int phase, boolean healthyViewer, long micros) {
        (healthyViewer ? active.healthy : active.misbehaving)[phase].recordValue(clamp(micros));
    }

    /** Installs {@code empty} on the loop and hands back the set it replaces, filled since the previous swap. */
    Future<LatencyHistograms> swap(LatencyHistograms empty) {
        return loop.submit(() -> {
            LatencyHistograms filled = active;
            active = empty;
            return filled;
        });
    }

    private static long clamp(long micros) {
        // A receipt is never timed before its send, but a negative difference must not throw on the hot path.
        return Math.max(0, Math.min(micros, MAX_MICROS));
    }
}
