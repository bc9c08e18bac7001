package io.nova.fanout.loadtest.viewer;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Disconnects random healthy viewers at a steady rate; the fleet reconnects each as soon as its close is
 * done, so the server sees a constant stream of leaves and joins on top of the load. Runs on one executor.
 */
final class ChurnDriver {
    private static final long TICK_MILLIS = 100;
    /** Random picks per churn before giving up for this tick: most picks hit a connected viewer. */
    private static final int PICKS_PER_CHURN = 4;

    private final EventExecutor executor;
    private final double perSecond;
    private final List<ViewerSlot> candidates;
    private final ViewerStats stats;
    private final SplittableRandom random = new SplittableRandom();

    // Executor thread only.
    private ScheduledFuture<?> ticks;
    private double due;

    ChurnDriver(EventExecutor executor, double perSecond, List<ViewerSlot> candidates, ViewerStats stats) {
        this.executor = executor;
        this.perSecond = perSecond;
        this.candidates = candidates;
        this.stats = stats;
    }

    void start() {
        if (perSecond > 0 && !candidates.isEmpty()) {
            executor.execute(() -> ticks = executor.scheduleAtFixedRate(this::tick, TICK_MILLIS, TICK_MILLIS,
                    TimeUnit.MILLISECONDS));
        }
    }

    void stop() {
        executor.execute(() -> {
            if (ticks != null) {
                ticks.cancel(false);
            }
        });
    }

    private void tick() {
        due += perSecond * TICK_MILLIS / 1_000.0;
        int churns = (int) due;
        due -= churns;
        int picks = churns * PICKS_PER_CHURN;
        for (int i = 0; i < picks && churns > 0; i++) {
            ViewerSlot slot = candidates.get(random.nextInt(candidates.size()));
            ViewerHandler connection = slot.connection();
            if (connection != null && slot.requestReconnect()) {
                connection.closeDeliberately();
                stats.countChurn();
                churns--;
            }
        }
    }
}
