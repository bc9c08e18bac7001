package io.nova.fanout.loadtest.latency;

import org.HdrHistogram.Histogram;

/**
 * The figures of one latency histogram, in milliseconds. The values are {@code null} when nothing was
 * recorded, so that an empty histogram never reads as a latency of zero.
 */
public record LatencySummary(long count, Double mean, Double p50, Double p90, Double p99, Double p999, Double max) {

    /** @param micros a histogram of microseconds */
    public static LatencySummary of(Histogram micros) {
        if (micros.getTotalCount() == 0) {
            return new LatencySummary(0, null, null, null, null, null, null);
        }
        return new LatencySummary(micros.getTotalCount(),
                Millis.of(micros.getMean()),
                Millis.of(micros.getValueAtPercentile(50)),
                Millis.of(micros.getValueAtPercentile(90)),
                Millis.of(micros.getValueAtPercentile(99)),
                Millis.of(micros.getValueAtPercentile(99.9)),
                Millis.of(micros.getMaxValue()));
    }
}
