package io.nova.fanout.loadtest.plan;

/**
 * One stretch of the publishing phase at one rate. Phase 0 is the warmup (possibly empty), whose latencies
 * are not counted; phases 1 and up are measured: the whole run, or one step each when stepping.
 *
 * @param index position in the plan; also the index of the phase's latency recorders
 * @param ratePerSecond events per second per stream
 * @param offsetMillis start, relative to the start of publishing
 * @param durationMillis length; 0 only for an empty warmup
 */
public record RatePhase(int index, double ratePerSecond, long offsetMillis, long durationMillis) {

    public RatePhase {
        if (index < 0 || !(ratePerSecond > 0) || offsetMillis < 0 || durationMillis < 0) {
            throw new IllegalArgumentException("invalid phase " + index + ": " + ratePerSecond + "/s at +"
                    + offsetMillis + "ms for " + durationMillis + "ms");
        }
    }

    public boolean measured() {
        return index > 0;
    }

    public long endOffsetMillis() {
        return offsetMillis + durationMillis;
    }
}
