package io.nova.fanout.server.testing;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledHeapByteBuf;
import java.util.ArrayList;
import java.util.List;

/**
 * Unpooled heap buffers that it remembers, so a test can say which of them were never released as soon as it is
 * done, instead of waiting for the leak detector to notice one after a garbage collection: what a fuzz test
 * needs to blame the input that leaked. Keeps every buffer reachable until {@link #assertAllReleased}, so use
 * one per test case.
 */
public final class TrackingAllocator extends AbstractByteBufAllocator {
    private static final int SHOWN_BYTES = 64;

    private final List<ByteBuf> allocated = new ArrayList<>();

    public TrackingAllocator() {
        super(false);
    }

    @Override
    protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
        ByteBuf buffer = new UnpooledHeapByteBuf(this, initialCapacity, maxCapacity);
        allocated.add(buffer);
        return buffer;
    }

    @Override
    protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
        // Heap only: nothing here reaches a real socket, and a heap buffer is easier to show.
        return newHeapBuffer(initialCapacity, maxCapacity);
    }

    @Override
    public boolean isDirectBufferPooled() {
        return false;
    }

    public int allocations() {
        return allocated.size();
    }

    /** Fails, showing the start of the first one, if any buffer it made still holds a reference. */
    public void assertAllReleased() {
        List<ByteBuf> leaked = allocated.stream().filter(buffer -> buffer.refCnt() > 0).toList();
        if (!leaked.isEmpty()) {
            ByteBuf first = leaked.get(0);
            int shown = Math.min(first.readableBytes(), SHOWN_BYTES);
            throw new AssertionError(leaked.size() + " of " + allocated.size() + " buffers not released; the first"
                    + " (refCnt " + first.refCnt() + ", " + first.readableBytes() + " readable bytes) starts with "
                    + ByteBufUtil.hexDump(first, first.readerIndex(), shown));
        }
    }
}
