package io.nova.fanout.loadtest.latency;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Every latency of a run, in microseconds: connect times, and delivery times overall, for healthy viewers
 * only, per publishing phase and per interval. Event loops record into their own {@link LoopLatencyRecorder};
 * the book's thread (the run's main thread) harvests what they recorded since the last harvest and adds it
 * to histograms only it touches. Not thread-safe: create the loop recorders, harvest and read from one thread.
 */
public final class LatencyBook {
    /** A loop that cannot run a tiny task for this long has stalled, and the run's figures with it. */
    private static final long SWAP_TIMEOUT_SECONDS = 10;

    private final int phaseCount;
    private final List<Harvested> loops = new ArrayList<>();

    private final Histogram connect = LatencyHistograms.newHistogram();
    private final Histogram measured = LatencyHistograms.newHistogram();
    private final Histogram healthyMeasured = LatencyHistograms.newHistogram();
    private final Histogram[] phases;
    private final Histogram interval = LatencyHistograms.newHistogram();

    /** @param phaseCount how many publishing phases (warmup included) deliveries are filed under */
    public LatencyBook(int phaseCount) {
        this.phaseCount = phaseCount;
        phases = new Histogram[phaseCount];
        for (int i = 0; i < phaseCount; i++) {
            phases[i] = LatencyHistograms.newHistogram();
        }
    }

    /** A recorder for event loop {@code loop}, harvested by this book from now on. */
    public LoopLatencyRecorder newLoopRecorder(EventExecutor loop) {
        LoopLatencyRecorder recorder = new LoopLatencyRecorder(loop, phaseCount);
        loops.add(new Harvested(recorder, new LatencyHistograms(phaseCount)));
        return recorder;
    }

    /**
     * Moves everything recorded since the previous harvest into the book's histograms.
     *
     * @throws IllegalStateException if an event loop does not hand its histograms over within 10 s
     */
    public void harvest() {
        List<Future<LatencyHistograms>> swaps = new ArrayList<>(loops.size());
        for (Harvested loop : loops) {
            swaps.add(loop.recorder.swap(loop.spare));
        }
        for (int i = 0; i < loops.size(); i++) {
            Future<LatencyHistograms> swap = swaps.get(i);
            if (!swap.awaitUninterruptibly(SWAP_TIMEOUT_SECONDS, TimeUnit.SECONDS) || !swap.isSuccess()) {
                throw new IllegalStateException("a viewer event loop did not hand over its latencies", swap.cause());
            }
            LatencyHistograms filled = swap.getNow();
            merge(filled);
            filled.reset();
            loops.get(i).spare = filled;
        }
    }

    private void merge(LatencyHistograms filled) {
        connect.add(filled.connect);
        for (int phase = 0; phase < phaseCount; phase++) {
            Histogram healthy = filled.healthy[phase];
            Histogram misbehaving = filled.misbehaving[phase];
            phases[phase].add(healthy);
            phases[phase].add(misbehaving);
            interval.add(healthy);
            interval.add(misbehaving);
            if (phase > 0) {
                measured.add(healthy);
                measured.add(misbehaving);
                healthyMeasured.add(healthy);
            }
        }
    }

    /** Connect latencies of every connection so far. */
    public Histogram connect() {
        return connect;
    }

    /** Delivery latencies at every viewer, of events scheduled after the warmup. */
    public Histogram measured() {
        return measured;
    }

    /** Delivery latencies at healthy viewers only, of events scheduled after the warmup. */
    public Histogram healthyMeasured() {
        return healthyMeasured;
    }

    /** Delivery latencies of events scheduled in {@code phase} (0 is the warmup). */
    public Histogram phase(int phase) {
        return phases[phase];
    }

    /** Deliveries of every phase, warmup included, harvested so far. */
    public long deliveredTotal() {
        long total = 0;
        for (Histogram phase : phases) {
            total += phase.getTotalCount();
        }
        return total;
    }

    /** Deliveries harvested since the previous call, warmup included, as a copy the caller may keep. */
    public Histogram takeInterval() {
        Histogram taken = interval.copy();
        interval.reset();
        return taken;
    }

    /** A loop's recorder and the empty set that goes in at the next swap. */
    private static final class Harvested {
        final LoopLatencyRecorder recorder;
        LatencyHistograms spare;

        Harvested(LoopLatencyRecorder recorder, LatencyHistograms spare) {
            this.recorder = recorder;
            this.spare = spare;
        }
    }
}
