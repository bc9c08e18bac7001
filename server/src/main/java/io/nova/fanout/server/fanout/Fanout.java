package io.nova.fanout.server.fanout;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;

/**
 * This node's viewers of each stream, grouped by the event loop that owns them.
 *
 * <p>An event crosses threads once per event loop that has viewers of its stream, never once per viewer:
 * each such loop receives one task that hands the shared frame to all of its viewers of the stream.
 */
public final class Fanout {
    /**
     * Most events of a stream written to an event loop's viewers between two flushes. Bounds both the wait
     * of a burst's first event and the acceptance times kept for their latency, per stream and loop.
     */
    static final int MAX_EVENTS_PER_FLUSH = 16;

    private final Map<EventExecutor, Integer> loopIndex = new IdentityHashMap<>();
    private final EventLoop[] loops;
    private final ConcurrentHashMap<String, LoopGroup[]> audiences = new ConcurrentHashMap<>();
    private final LongSupplier nanoTime;
    private final LongConsumer latencyNanos;

    /**
     * @param loops        every event loop that may own a viewer channel
     * @param nanoTime     the clock of {@code latencyNanos}
     * @param latencyNanos told, once per event and event loop, how long the event took from {@link #deliver}
     *                     to the flush that handed it to that loop's viewers' sockets; called on the loop
     */
    public Fanout(Iterable<? extends EventExecutor> loops, LongSupplier nanoTime, LongConsumer latencyNanos) {
        this.nanoTime = nanoTime;
        this.latencyNanos = latencyNanos;
        List<EventLoop> list = new ArrayList<>();
        for (EventExecutor loop : loops) {
            loopIndex.put(loop, list.size());
            list.add((EventLoop) loop);
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("loops: empty (expected: at least one event loop)");
        }
        this.loops = list.toArray(new EventLoop[0]);
    }

    /** Adds a viewer to its stream's audience; call on the viewer's event loop. */
    public void join(String streamId, ViewerSession viewer) {
        LoopGroup[] groups = audiences.computeIfAbsent(streamId, id -> newGroups());
        groups[indexOf(viewer.eventLoop())].add(viewer);
    }

    /** Removes a viewer; call on the viewer's event loop. Safe to call for a viewer that never joined. */
    public void leave(String streamId, ViewerSession viewer) {
        LoopGroup[] groups = audiences.get(streamId);
        if (groups != null) {
            groups[indexOf(viewer.eventLoop())].remove(viewer);
        }
    }

    /** Forgets a stream's audience once it has none left, so ended streams do not pin memory. */
    public void forget(String streamId) {
        audiences.computeIfPresent(streamId, (id, groups) -> {
            for (LoopGroup group : groups) {
                if (group.size > 0) {
                    return groups;
                }
            }
            return null;
        });
    }

    /** Delivers an event to every viewer of its stream on this node; takes ownership of the frame. */
    public void deliver(StreamFrame event) {
        try {
            LoopGroup[] groups = audiences.get(event.streamId());
            if (groups == null) {
                return;
            }
            // Delivery follows the commit of the event at once, in the same call: this is when it was accepted.
            long acceptedAt = nanoTime.getAsLong();
            for (LoopGroup group : groups) {
                if (group.size == 0) {
                    continue;
                }
                event.frame().retain();
                try {
                    group.loop.execute(() -> group.deliver(event, acceptedAt));
                } catch (RejectedExecutionException shuttingDown) {
                    event.frame().release();
                }
            }
        } finally {
            event.frame().release();
        }
    }

    /** How many streams this node keeps an audience for; for tests and diagnostics. */
    int audienceCount() {
        return audiences.size();
    }

    /** How many viewers of the stream this node has, summed over its event loops. */
    public int audienceSize(String streamId) {
        LoopGroup[] groups = audiences.get(streamId);
        int n = 0;
        if (groups != null) {
            for (LoopGroup group : groups) {
                n += group.size;
            }
        }
        return n;
    }

    private LoopGroup[] newGroups() {
        LoopGroup[] groups = new LoopGroup[loops.length];
        for (int i = 0; i < loops.length; i++) {
            groups[i] = new LoopGroup(loops[i], nanoTime, latencyNanos);
        }
        return groups;
    }

    private int indexOf(EventLoop loop) {
        Integer index = loopIndex.get(loop);
        if (index == null) {
            throw new IllegalStateException("event loop " + loop + " is not one of this fanout's loops");
        }
        return index;
    }

    /** The viewers of one stream on one event loop; everything but {@code size} is touched by that loop only. */
    private static final class LoopGroup implements Runnable {
        final EventLoop loop;
        final IndexedList<ViewerSession> viewers = new IndexedList<>(ViewerSession::groupIndex, ViewerSession::groupIndex);
        final LongSupplier nanoTime;
        final LongConsumer latencyNanos;
        final long[] unflushedAcceptedAt = new long[MAX_EVENTS_PER_FLUSH];
        int unflushed;
        /** Read by publishers on other threads to skip loops with no viewers of the stream. */
        volatile int size;
        boolean flushQueued;

        LoopGroup(EventLoop loop, LongSupplier nanoTime, LongConsumer latencyNanos) {
            this.loop = loop;
            this.nanoTime = nanoTime;
            this.latencyNanos = latencyNanos;
        }

        void add(ViewerSession viewer) {
            viewers.add(viewer);
            size = viewers.size();
        }

        void remove(ViewerSession viewer) {
            viewers.remove(viewer);
            size = viewers.size();
        }

        void deliver(StreamFrame event, long acceptedAt) {
            if (viewers.isEmpty()) {
                event.frame().release();
                return;
            }
            if (unflushed == MAX_EVENTS_PER_FLUSH) {
                flush();
            }
            unflushedAcceptedAt[unflushed++] = acceptedAt;
            try {
                // Backwards: a viewer that leaves while we iterate cannot make us skip another.
                for (int i = viewers.size() - 1; i >= 0; i = Math.min(i, viewers.size()) - 1) {
                    viewers.get(i).deliver(event.frame().retainedDuplicate(), event.seq(), event.endOfStream());
                }
            } finally {
                event.frame().release();
            }
            // Flushing after the tasks already queued behind this one lets a burst of events share one flush.
            if (!flushQueued) {
                flushQueued = true;
                loop.execute(this);
            }
        }

        @Override
        public void run() {
            flushQueued = false;
            flush();
        }

        private void flush() {
            for (int i = viewers.size() - 1; i >= 0; i = Math.min(i, viewers.size()) - 1) {
                viewers.get(i).flush();
            }
            long now = nanoTime.getAsLong();
            for (int i = 0; i < unflushed; i++) {
                latencyNanos.accept(now - unflushedAcceptedAt[i]);
            }
            unflushed = 0;
        }
    }
}
