package io.nova.fanout.server.stream;

import io.netty.channel.EventLoop;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stream: its state, owned and replaced only by its home event loop, and its viewer counts, which
 * viewers' own event loops update as they join and leave.
 */
public final class Stream {
    private final String id;
    private final EventLoop home;
    private final AtomicInteger viewers = new AtomicInteger();
    private final AtomicInteger peakViewers = new AtomicInteger();
    private volatile StreamState state;
    /** Viewer-count ticks to let pass before the next announcement; touched by the home loop only. */
    private int viewerCountTicksToSkip;

    Stream(String id, EventLoop home, StreamState initial) {
        this.id = id;
        this.home = home;
        this.state = initial;
    }

    public String id() {
        return id;
    }

    /** The event loop that applies every change to this stream, one at a time, in order. */
    public EventLoop home() {
        return home;
    }

    /** The latest committed state; safe to read from any thread. */
    public StreamState state() {
        return state;
    }

    public ViewerCounts viewerCounts() {
        int current = viewers.get();
        // A join may have counted itself but not yet raised the peak; the peak is never below the count.
        return new ViewerCounts(current, Math.max(current, peakViewers.get()));
    }

    public void viewerJoined() {
        int now = viewers.incrementAndGet();
        // Every concurrent count passes through here, so the peak is the true maximum, not a sampled one.
        peakViewers.accumulateAndGet(now, Math::max);
    }

    public void viewerLeft() {
        viewers.decrementAndGet();
    }

    /** On the home loop: whether this tick may announce the viewer count, counting down the ticks to skip. */
    boolean mayAnnounceViewers() {
        assert home.inEventLoop();
        if (viewerCountTicksToSkip > 0) {
            viewerCountTicksToSkip--;
            return false;
        }
        return true;
    }

    /** On the home loop, after an announcement: let {@code ticks} ticks pass before the next one. */
    void skipViewerCountTicks(int ticks) {
        assert home.inEventLoop();
        viewerCountTicksToSkip = ticks;
    }

    void commit(StreamState next) {
        assert home.inEventLoop();
        state = next;
    }
}
