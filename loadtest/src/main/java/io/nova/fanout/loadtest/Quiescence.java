package io.nova.fanout.loadtest;

import io.nova.fanout.loadtest.latency.LatencyBook;
import java.util.function.BooleanSupplier;

/**
 * Whether deliveries have stopped: true once no event arrived at any viewer for a while. The end of a run
 * waits for it, so that events still in flight when publishing stops are counted, as far as they arrive.
 */
final class Quiescence implements BooleanSupplier {
    private final LatencyBook latency;
    private final long quietNanos;
    private long lastTotal = -1;
    private long lastChangeNanos;

    Quiescence(LatencyBook latency, long quietNanos) {
        this.latency = latency;
        this.quietNanos = quietNanos;
    }

    @Override
    public boolean getAsBoolean() {
        latency.harvest();
        long total = latency.deliveredTotal();
        long now = System.nanoTime();
        if (total != lastTotal) {
            lastTotal = total;
            lastChangeNanos = now;
            return false;
        }
        return now - lastChangeNanos >= quietNanos;
    }
}
