package io.nova.fanout.loadtest.plan;

import java.util.List;

/**
 * The send times of one stream's events, in whole epoch milliseconds, one after the other.
 *
 * <p>Within a phase at rate <i>r</i> the <i>k</i>-th event is due at
 * {@code start + round((k + s/S) * 1000 / r)} ms: evenly spaced, and rounded to the millisecond because the
 * wire timestamp has millisecond precision, which makes every scheduled time exactly what the viewer reads
 * back. The {@code s/S} term spreads stream {@code s} of {@code S} across the interval, so that many streams
 * do not all fire in the same millisecond. Not thread-safe: it belongs to the publisher's thread.
 */
public final class StreamSchedule {
    /** What {@link #next} returns once the schedule is exhausted. */
    public static final long END = Long.MAX_VALUE;

    private final PhaseTimeline timeline;
    private final List<RatePhase> phases;
    private final double streamFraction;
    private int phase;
    private long eventInPhase;
    private long cutoffMillis = Long.MAX_VALUE;

    public StreamSchedule(PhaseTimeline timeline, int streamIndex, int streamCount) {
        if (streamIndex < 0 || streamIndex >= streamCount) {
            throw new IllegalArgumentException("streamIndex: " + streamIndex + " (expected: 0.." + (streamCount - 1) + ")");
        }
        this.timeline = timeline;
        this.phases = timeline.plan().phases();
        this.streamFraction = (double) streamIndex / streamCount;
    }

    /** The next send time, consumed, or {@link #END}. */
    public long next() {
        // Each pass either returns or moves to the next phase, so this ends after at most one pass per phase.
        while (phase < phases.size()) {
            RatePhase current = phases.get(phase);
            long due = timeline.startMillis(phase)
                    + Math.round((eventInPhase + streamFraction) * 1_000.0 / current.ratePerSecond());
            if (due < timeline.endMillis(phase)) {
                if (due >= cutoffMillis) {
                    return END;
                }
                eventInPhase++;
                return due;
            }
            phase++;
            eventInPhase = 0;
        }
        return END;
    }

    /** Ends the schedule before {@code epochMillis}: nothing due at or after it is returned. */
    public void stopAt(long epochMillis) {
        cutoffMillis = Math.min(cutoffMillis, epochMillis);
    }
}
