package io.nova.fanout.loadtest.viewer;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

/**
 * Starts connects 0 to {@code total - 1} at a steady rate: a token bucket refilled by a task every
 * {@value #TICK_MILLIS} ms, holding at most {@value #BURST_MILLIS} ms worth of tokens so that a stalled tick
 * does not turn into a burst. Runs on one executor; stops itself after the last connect.
 */
final class ConnectPacer {
    private static final long TICK_MILLIS = 10;
    private static final long BURST_MILLIS = 50;

    private final EventExecutor executor;
    private final double perSecond;
    private final int total;
    private final IntConsumer launch;
    private final double maxTokens;

    // Executor thread only.
    private ScheduledFuture<?> ticks;
    private long lastTickNanos;
    private double tokens;
    private int launched;

    ConnectPacer(EventExecutor executor, double perSecond, int total, IntConsumer launch) {
        this.executor = executor;
        this.perSecond = perSecond;
        this.total = total;
        this.launch = launch;
        this.maxTokens = Math.max(1, perSecond * BURST_MILLIS / 1_000);
    }

    void start() {
        executor.execute(() -> {
            lastTickNanos = System.nanoTime();
            tokens = 1; // The first connect goes at once.
            ticks = executor.scheduleAtFixedRate(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    void stop() {
        executor.execute(() -> {
            if (ticks != null) {
                ticks.cancel(false);
            }
        });
    }

    private void tick() {
        long now = System.nanoTime();
        tokens = Math.min(maxTokens, tokens + perSecond * (now - lastTickNanos) / 1e9);
        lastTickNanos = now;
        // Bounded by the bucket: at most maxTokens connects per tick.
        while (tokens >= 1 && launched < total) {
            tokens -= 1;
            launch.accept(launched++);
        }
        if (launched == total) {
            ticks.cancel(false);
        }
    }
}
