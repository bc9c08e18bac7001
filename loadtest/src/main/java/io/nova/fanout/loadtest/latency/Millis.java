package io.nova.fanout.loadtest.latency;

/** Microseconds as milliseconds with three decimals: the microsecond resolution latencies are recorded at. */
public final class Millis {
    private Millis() {}

    public static double of(double micros) {
        return Math.round(micros) / 1_000.0;
    }
}
