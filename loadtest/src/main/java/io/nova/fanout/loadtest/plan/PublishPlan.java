package io.nova.fanout.loadtest.plan;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The rates of the publishing phase over time, relative to its start: a warmup at the first rate, then
 * either one measured phase at a steady rate or one measured phase per step. Immutable.
 */
public final class PublishPlan {
    /** The index of the warmup phase; measured phases follow it. */
    public static final int WARMUP = 0;

    private final List<RatePhase> phases;
    private final boolean stepped;

    private PublishPlan(List<RatePhase> phases, boolean stepped) {
        this.phases = List.copyOf(phases);
        this.stepped = stepped;
    }

    /** {@code warmup} then {@code duration}, both at {@code ratePerSecond}. */
    public static PublishPlan steady(double ratePerSecond, Duration warmup, Duration duration) {
        return new PublishPlan(List.of(
                new RatePhase(WARMUP, ratePerSecond, 0, warmup.toMillis()),
                new RatePhase(1, ratePerSecond, warmup.toMillis(), duration.toMillis())), false);
    }

    /** {@code warmup} at the first rate, then each rate for {@code stepDuration}. */
    public static PublishPlan stepped(List<Double> rates, Duration warmup, Duration stepDuration) {
        if (rates.isEmpty()) {
            throw new IllegalArgumentException("rates: empty (expected: at least one)");
        }
        List<RatePhase> phases = new ArrayList<>(rates.size() + 1);
        phases.add(new RatePhase(WARMUP, rates.get(0), 0, warmup.toMillis()));
        long offset = warmup.toMillis();
        for (double rate : rates) {
            phases.add(new RatePhase(phases.size(), rate, offset, stepDuration.toMillis()));
            offset += stepDuration.toMillis();
        }
        return new PublishPlan(phases, true);
    }

    /** Every phase, the warmup first; a phase's index is its position. */
    public List<RatePhase> phases() {
        return phases;
    }

    /** Whether the measured phases are steps of a rate ladder rather than one steady rate. */
    public boolean stepped() {
        return stepped;
    }

    public long totalMillis() {
        return phases.get(phases.size() - 1).endOffsetMillis();
    }

    public long measuredMillis() {
        return totalMillis() - phases.get(WARMUP).durationMillis();
    }

    /** The plan pinned to a wall-clock start, in epoch milliseconds. */
    public PhaseTimeline startingAt(long startEpochMillis) {
        return new PhaseTimeline(this, startEpochMillis);
    }
}
