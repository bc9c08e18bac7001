package io.nova.fanout.loadtest.latency;

import org.HdrHistogram.Histogram;

/**
 * One set of latency histograms, in microseconds: connect times, and delivery times per publishing phase for
 * healthy and for misbehaving viewers. An event loop records into one set while the book merges the set
 * it handed over before. Not thread-safe: owned by one thread at a time.
 */
final class LatencyHistograms {
    static final int SIGNIFICANT_DIGITS = 3;

    final Histogram connect = newHistogram();
    final Histogram[] healthy;
    final Histogram[] misbehaving;

    LatencyHistograms(int phaseCount) {
        healthy = new Histogram[phaseCount];
        misbehaving = new Histogram[phaseCount];
        for (int i = 0; i < phaseCount; i++) {
            healthy[i] = newHistogram();
            misbehaving[i] = newHistogram();
        }
    }

    void reset() {
        connect.reset();
        for (int i = 0; i < healthy.length; i++) {
            healthy[i].reset();
            misbehaving[i].reset();
        }
    }

    static Histogram newHistogram() {
        // Auto-resizing: a histogram only grows as far as the latencies it actually sees.
        return new Histogram(SIGNIFICANT_DIGITS);
    }
}
