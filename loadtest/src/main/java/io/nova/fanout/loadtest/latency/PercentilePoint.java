package io.nova.fanout.loadtest.latency;

import java.util.ArrayList;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramIterationValue;

/** One point of a latency percentile distribution, in milliseconds. */
public record PercentilePoint(double percentile, double latencyMs) {
    /** The last percentile a distribution lists before its maximum. */
    public static final double LAST_PERCENTILE = 99.99;

    /** Points per halving of the distance to 100%: 5 gives 50, 55, 60 ... 90, 91 ... 99, 99.1 ... */
    private static final int TICKS_PER_HALF_DISTANCE = 5;

    /**
     * The distribution of {@code micros} as HdrHistogram's percentile iteration reports it, up to
     * {@value #LAST_PERCENTILE}, then the maximum as percentile 100; empty for an empty histogram.
     */
    public static List<PercentilePoint> distributionOf(Histogram micros) {
        List<PercentilePoint> points = new ArrayList<>();
        if (micros.getTotalCount() == 0) {
            return points;
        }
        for (HistogramIterationValue value : micros.percentiles(TICKS_PER_HALF_DISTANCE)) {
            double percentile = value.getPercentileLevelIteratedTo();
            if (percentile > LAST_PERCENTILE) {
                break;
            }
            points.add(new PercentilePoint(Math.round(percentile * 1_000) / 1_000.0,
                    Millis.of(value.getValueIteratedTo())));
        }
        points.add(new PercentilePoint(100.0, Millis.of(micros.getMaxValue())));
        return points;
    }
}
