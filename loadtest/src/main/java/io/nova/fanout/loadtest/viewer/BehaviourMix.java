package io.nova.fanout.loadtest.viewer;

/**
 * Deals out behaviours to viewers 0, 1, 2, ... in the requested proportions, exactly and evenly spread:
 * with 10% slow viewers, every tenth viewer is slow, so with viewers spread over streams round-robin every
 * stream gets its share. It is smooth weighted round-robin: each viewer goes to the behaviour furthest behind
 * its share so far. Not thread-safe; used once, up front.
 */
public final class BehaviourMix {
    private final ViewerBehaviour[] behaviours = ViewerBehaviour.values();
    private final long[] weights = new long[behaviours.length];
    private final long[] credit = new long[behaviours.length];
    private final long total;

    /**
     * @param viewers how many viewers will be dealt
     * @param slowFraction share of {@link ViewerBehaviour#SLOW} viewers, rounded to whole viewers
     * @param silentFraction share of {@link ViewerBehaviour#SILENT} viewers, rounded to whole viewers
     * @throws IllegalArgumentException if the fractions are outside 0..1 or add up to more than 1
     */
    public BehaviourMix(int viewers, double slowFraction, double silentFraction) {
        if (!(slowFraction >= 0 && silentFraction >= 0 && slowFraction + silentFraction <= 1)) {
            throw new IllegalArgumentException("fractions: slow " + slowFraction + " and silent " + silentFraction
                    + " (expected: each 0..1, together at most 1)");
        }
        long slow = Math.round(viewers * slowFraction);
        long silent = Math.min(viewers - slow, Math.round(viewers * silentFraction));
        weights[ViewerBehaviour.SLOW.ordinal()] = slow;
        weights[ViewerBehaviour.SILENT.ordinal()] = silent;
        weights[ViewerBehaviour.HEALTHY.ordinal()] = viewers - slow - silent;
        total = Math.max(1, viewers);
    }

    /** The next viewer's behaviour. */
    public ViewerBehaviour next() {
        int best = 0;
        for (int i = 0; i < behaviours.length; i++) {
            credit[i] += weights[i];
            if (credit[i] > credit[best]) {
                best = i;
            }
        }
        credit[best] -= total;
        return behaviours[best];
    }
}
