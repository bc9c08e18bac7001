package io.nova.fanout.loadtest.publish;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/** What the publisher sent and how it went; written by the publisher's loop, read from anywhere. */
public final class PublishStats {
    private static final int MAX_ERROR_REASONS = 16;

    private final AtomicLongArray measuredPublished;
    private final LongAdder published = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final Map<String, LongAdder> errorReasons = new ConcurrentHashMap<>();
    private final LongAdder lagMicrosTotal = new LongAdder();
    private final LongAdder sends = new LongAdder();
    private final AtomicLong maxLagMicros = new AtomicLong();

    public PublishStats(int streams) {
        measuredPublished = new AtomicLongArray(streams);
    }

    /** A send went out {@code lagMicros} after its scheduled time. */
    void sent(long lagMicros) {
        sends.increment();
        lagMicrosTotal.add(Math.max(0, lagMicros));
        maxLagMicros.accumulateAndGet(lagMicros, Math::max);
    }

    /** The server accepted an event of stream {@code stream}; {@code measured} if scheduled after the warmup. */
    void published(int stream, boolean measured) {
        published.increment();
        if (measured) {
            measuredPublished.incrementAndGet(stream);
        }
    }

    void failed(String reason) {
        errors.increment();
        if (errorReasons.size() < MAX_ERROR_REASONS || errorReasons.containsKey(reason)) {
            errorReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
        }
    }

    /** Events accepted by the server, warmup included. */
    public long publishedTotal() {
        return published.sum();
    }

    /** Events of stream {@code stream} accepted by the server and scheduled after the warmup. */
    public long measuredPublished(int stream) {
        return measuredPublished.get(stream);
    }

    public long measuredPublished() {
        long total = 0;
        for (int i = 0; i < measuredPublished.length(); i++) {
            total += measuredPublished.get(i);
        }
        return total;
    }

    /** Publishes that failed: an answer other than 2xx, or no answer at all. */
    public long errors() {
        return errors.sum();
    }

    public Map<String, Long> errorReasons() {
        Map<String, Long> sorted = new TreeMap<>();
        errorReasons.forEach((reason, count) -> sorted.put(reason, count.sum()));
        return sorted;
    }

    /** How far behind its schedule the publisher sent, at worst, in milliseconds. */
    public double maxLagMillis() {
        return maxLagMicros.get() / 1_000.0;
    }

    public double meanLagMillis() {
        long count = sends.sum();
        return count == 0 ? 0 : lagMicrosTotal.sum() / 1_000.0 / count;
    }
}
