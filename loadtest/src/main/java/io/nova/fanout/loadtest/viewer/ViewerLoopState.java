package io.nova.fanout.loadtest.viewer;

import io.netty.buffer.ByteBuf;
import io.nova.fanout.loadtest.latency.LoopLatencyRecorder;

/**
 * What every viewer on one event loop shares: the frame scanner, its result, a scratch array and the loop's
 * latency recorders. Only that loop's thread touches it, so none of it needs synchronisation, and a
 * connection costs no scanning state of its own.
 */
final class ViewerLoopState {
    private static final int INITIAL_SCRATCH_BYTES = 4096;

    private final FrameScanner scanner = new FrameScanner();
    private final ScannedFrame frame = new ScannedFrame();
    private final LoopLatencyRecorder latency;
    private byte[] scratch = new byte[INITIAL_SCRATCH_BYTES];

    ViewerLoopState(LoopLatencyRecorder latency) {
        this.latency = latency;
    }

    LoopLatencyRecorder latency() {
        return latency;
    }

    /**
     * Scans a text frame's content; the result is valid until the next call on this loop.
     *
     * @return the scanned fields, or {@code null} if the frame is not a readable JSON object
     */
    ScannedFrame scan(ByteBuf content) {
        int length = content.readableBytes();
        boolean readable;
        if (content.hasArray()) {
            int from = content.arrayOffset() + content.readerIndex();
            readable = scanner.scan(content.array(), from, from + length, frame);
        } else {
            // One bulk copy of a few hundred bytes, then array access the JIT can optimise, beats a
            // bounds-checked getByte per byte of a direct buffer.
            if (scratch.length < length) {
                scratch = new byte[Math.max(length, scratch.length * 2)];
            }
            content.getBytes(content.readerIndex(), scratch, 0, length);
            readable = scanner.scan(scratch, 0, length, frame);
        }
        return readable ? frame : null;
    }
}
