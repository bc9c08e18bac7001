package io.nova.fanout.loadtest.plan;

import java.util.List;

/**
 * A {@link PublishPlan} pinned to wall-clock time. Viewers use it to file each event's latency under the
 * phase its <em>scheduled</em> send time falls in, so an event that arrives late still counts for the step
 * that produced it. Immutable, and so safe to share with every event loop.
 */
public final class PhaseTimeline {
    /** What {@link #phaseAt} returns for a time outside the plan. */
    public static final int OUTSIDE = -1;

    private final PublishPlan plan;
    private final long[] startMillis;
    private final long endMillis;

    PhaseTimeline(PublishPlan plan, long startEpochMillis) {
        this.plan = plan;
        List<RatePhase> phases = plan.phases();
        startMillis = new long[phases.size()];
        for (int i = 0; i < startMillis.length; i++) {
            startMillis[i] = startEpochMillis + phases.get(i).offsetMillis();
        }
        endMillis = startEpochMillis + plan.totalMillis();
    }

    public PublishPlan plan() {
        return plan;
    }

    /** The phase whose span holds {@code epochMillis}, or {@link #OUTSIDE}. */
    public int phaseAt(long epochMillis) {
        if (epochMillis >= endMillis) {
            return OUTSIDE;
        }
        // Latest first, so that an empty warmup (same start as phase 1) never claims a time.
        for (int i = startMillis.length - 1; i >= 0; i--) {
            if (epochMillis >= startMillis[i]) {
                return i;
            }
        }
        return OUTSIDE;
    }

    public long startMillis() {
        return startMillis[0];
    }

    public long startMillis(int phase) {
        return startMillis[phase];
    }

    public long endMillis(int phase) {
        return phase + 1 < startMillis.length ? startMillis[phase + 1] : endMillis;
    }

    /** Start of the first measured phase, i.e. the end of the warmup. */
    public long measuredStartMillis() {
        return startMillis[PublishPlan.WARMUP + 1];
    }

    public long endMillis() {
        return endMillis;
    }
}
