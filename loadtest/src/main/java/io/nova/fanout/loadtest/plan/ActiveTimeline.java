package io.nova.fanout.loadtest.plan;

/**
 * The timeline of the publishing phase once it is pinned to the clock, shared with every event loop. Until
 * then (while viewers connect) there is none, and no delivery belongs to any phase.
 */
public final class ActiveTimeline {
    private volatile PhaseTimeline timeline;

    /** Publishes {@code pinned}; deliveries are filed under its phases from now on. */
    public void set(PhaseTimeline pinned) {
        timeline = pinned;
    }

    /** The phase whose span holds {@code epochMillis}, or {@link PhaseTimeline#OUTSIDE}. */
    public int phaseAt(long epochMillis) {
        PhaseTimeline current = timeline;
        return current == null ? PhaseTimeline.OUTSIDE : current.phaseAt(epochMillis);
    }
}
