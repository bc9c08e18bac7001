package io.nova.fanout.server.session;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import io.nova.fanout.server.fanout.IndexedList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One periodic sweep per event loop over the viewers that loop owns: pings, pong timeouts, idle timeouts
 * and end-of-stream grace deadlines all run from it, so no viewer has a scheduled task of its own.
 */
public final class Heartbeat {
    private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

    /** A viewer as the sweep sees it; called on the heartbeat's event loop only. */
    public interface Member {
        void onTick(long nowNanos);

        /** The server is going down: say so, drain, and close by {@code deadlineNanos} (a sweep enforces it). */
        void shutDown(long deadlineNanos);

        int heartbeatIndex();

        void heartbeatIndex(int index);
    }

    private final EventExecutor loop;
    private final IndexedList<Member> members = new IndexedList<>(Member::heartbeatIndex, Member::heartbeatIndex);
    private final ScheduledFuture<?> sweep;

    public Heartbeat(EventExecutor loop, long periodNanos) {
        this.loop = loop;
        this.sweep = loop.scheduleAtFixedRate(this::tick, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    public EventExecutor loop() {
        return loop;
    }

    public void register(Member member) {
        assert loop.inEventLoop();
        members.add(member);
    }

    public void unregister(Member member) {
        assert loop.inEventLoop();
        members.remove(member);
    }

    public int size() {
        return members.size();
    }

    public void stop() {
        sweep.cancel(false);
    }

    /** Tells every member, on this loop, that the server shuts down and they have {@code graceNanos} to drain. */
    public void shutDownMembers(long graceNanos) {
        loop.execute(() -> {
            long deadline = loop.ticker().nanoTime() + graceNanos;
            for (int i = members.size() - 1; i >= 0; i = Math.min(i, members.size()) - 1) {
                try {
                    members.get(i).shutDown(deadline);
                } catch (RuntimeException e) {
                    log.warn("shutting down a viewer failed", e);
                }
            }
        });
    }

    private void tick() {
        long now = loop.ticker().nanoTime();
        // Backwards, so a member that leaves during the sweep cannot make us skip another.
        for (int i = members.size() - 1; i >= 0; i = Math.min(i, members.size()) - 1) {
            try {
                members.get(i).onTick(now);
            } catch (RuntimeException e) {
                // One broken viewer must not stop the sweep: Netty never reschedules a task that threw.
                log.warn("heartbeat of a viewer failed", e);
            }
        }
    }

    /** The sweep period: fine enough for the shortest timer, never busier than 100 Hz nor lazier than 1 Hz. */
    public static long periodNanos(long... timerNanos) {
        long shortest = Long.MAX_VALUE;
        for (long t : timerNanos) {
            shortest = Math.min(shortest, t);
        }
        return Math.max(TimeUnit.MILLISECONDS.toNanos(10), Math.min(TimeUnit.SECONDS.toNanos(1), shortest / 10));
    }
}
