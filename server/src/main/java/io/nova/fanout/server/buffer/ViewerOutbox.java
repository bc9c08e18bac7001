package io.nova.fanout.server.buffer;

import io.netty.buffer.ByteBuf;

/**
 * The bounded backlog of one viewer: frames waiting while its channel is not writable.
 *
 * <p>Owned by the viewer channel's event loop; never shared, so it needs no synchronisation. When full,
 * the oldest frame is released to make room and the loss is counted: a slow viewer costs at most
 * {@code capacity} references to frames that are shared with every other viewer.
 */
public final class ViewerOutbox {
    private final int capacity;
    private ByteBuf[] ring; // allocated on first use: most viewers never fall behind
    private int head;
    private int size;
    private long dropped;

    public ViewerOutbox(int capacity) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: > 0)");
        }
        this.capacity = capacity;
    }

    /**
     * Appends a frame, taking ownership of it.
     *
     * @return {@code true} if it fitted, {@code false} if the oldest frame was dropped to make room
     */
    public boolean offer(ByteBuf frame) {
        if (ring == null) {
            ring = new ByteBuf[capacity];
        }
        boolean fitted = size < capacity;
        if (!fitted) {
            ring[head].release();
            ring[head] = null;
            head = next(head);
            size--;
            dropped++;
        }
        ring[(head + size) % capacity] = frame;
        size++;
        return fitted;
    }

    /** Removes and returns the oldest frame, or {@code null} when empty; the caller owns it. */
    public ByteBuf poll() {
        if (size == 0) {
            return null;
        }
        ByteBuf frame = ring[head];
        ring[head] = null;
        head = next(head);
        size--;
        return frame;
    }

    /** Returns how many frames were dropped since the last call, and starts counting again from zero. */
    public long takeDropped() {
        long n = dropped;
        dropped = 0;
        return n;
    }

    public boolean isEmpty() {
        return size == 0;
    }

    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** Releases every frame still held; the outbox stays usable. */
    public void clear() {
        ByteBuf frame;
        while ((frame = poll()) != null) {
            frame.release();
        }
    }

    private int next(int index) {
        return index + 1 == capacity ? 0 : index + 1;
    }
}
