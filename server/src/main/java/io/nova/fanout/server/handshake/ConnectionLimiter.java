package io.nova.fanout.server.handshake;

import java.util.concurrent.atomic.AtomicInteger;

/** Caps the number of admitted viewer connections; a slot is held from admission until the channel closes. */
public final class ConnectionLimiter {
    private final int max;
    private final AtomicInteger open = new AtomicInteger();

    public ConnectionLimiter(int max) {
        this.max = max;
    }

    /** @return {@code true} if a slot was taken; the caller must then {@link #release()} it exactly once */
    public boolean tryAcquire() {
        int n;
        do {
            n = open.get();
            if (n >= max) {
                return false;
            }
        } while (!open.compareAndSet(n, n + 1));
        return true;
    }

    public void release() {
        open.decrementAndGet();
    }

    public int open() {
        return open.get();
    }
}
