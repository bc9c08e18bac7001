package io.nova.fanout.loadtest;

import io.nova.fanout.loadtest.plan.PhaseTimeline;

/**
 * How the publishing phase went, for the report.
 *
 * @param timeline the plan as it was pinned to the clock, or {@code null} when nothing was published (idle)
 * @param stoppedAtMillis when stepping was stopped for a p99 above the bound, or {@link #NOT_STOPPED}
 */
record PublishingResult(PhaseTimeline timeline, long stoppedAtMillis) {
    static final long NOT_STOPPED = Long.MAX_VALUE;

    static PublishingResult none() {
        return new PublishingResult(null, NOT_STOPPED);
    }

    /** The end of what actually ran of {@code phase}. */
    long endMillis(int phase) {
        return Math.min(timeline.endMillis(phase), stoppedAtMillis);
    }

    /** Seconds of measured publishing: after the warmup, up to the end or the stop. */
    double measuredSeconds() {
        if (timeline == null) {
            return 0;
        }
        long end = Math.min(timeline.endMillis(), stoppedAtMillis);
        return Math.max(0, end - timeline.measuredStartMillis()) / 1_000.0;
    }
}
