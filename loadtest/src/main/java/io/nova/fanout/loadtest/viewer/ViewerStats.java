package io.nova.fanout.loadtest.viewer;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * The viewers' counters, updated from every event loop. {@link LongAdder}s keep increments on the hot path
 * free of contention; readers see totals that are at most a moment old.
 */
public final class ViewerStats {
    /** Distinct failure reasons kept; more would only mean the reasons carry per-connection detail. */
    private static final int MAX_FAILURE_REASONS = 32;

    private final LongAdder attempted = new LongAdder();
    private final LongAdder established = new LongAdder();
    private final LongAdder failed = new LongAdder();
    private final AtomicInteger connected = new AtomicInteger();
    private final Map<Integer, LongAdder> refusals = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> failureReasons = new ConcurrentHashMap<>();
    private final Map<Integer, LongAdder> closes = new ConcurrentHashMap<>();
    private final LongAdder dropNotices = new LongAdder();
    private final LongAdder droppedMessages = new LongAdder();
    private final LongAdder gaps = new LongAdder();
    private final LongAdder healthyGaps = new LongAdder();
    private final LongAdder seqRegressions = new LongAdder();
    private final LongAdder pongs = new LongAdder();
    private final LongAdder unreadableFrames = new LongAdder();
    private final LongAdder unexpectedMessages = new LongAdder();
    private final LongAdder churned = new LongAdder();

    void countAttempt() {
        attempted.increment();
    }

    void established() {
        established.increment();
        connected.incrementAndGet();
    }

    void disconnected() {
        connected.decrementAndGet();
    }

    /** A connect that ended with an HTTP answer other than 101. */
    void refused(int httpStatus) {
        failed.increment();
        refusals.computeIfAbsent(httpStatus, status -> new LongAdder()).increment();
    }

    /** A connect that failed for another reason: TCP, timeout, a broken handshake. */
    void failed(String reason) {
        failed.increment();
        if (failureReasons.size() < MAX_FAILURE_REASONS || failureReasons.containsKey(reason)) {
            failureReasons.computeIfAbsent(reason, r -> new LongAdder()).increment();
        }
    }

    /** A connection the server closed with {@code code}, or 1006 when it went away without a close frame. */
    void closed(int code) {
        closes.computeIfAbsent(code, c -> new LongAdder()).increment();
    }

    void dropNotice(long dropped) {
        dropNotices.increment();
        droppedMessages.add(dropped);
    }

    void gap(long missed, boolean healthy) {
        gaps.add(missed);
        if (healthy) {
            healthyGaps.add(missed);
        }
    }

    void seqRegression() {
        seqRegressions.increment();
    }

    void pong() {
        pongs.increment();
    }

    void unreadableFrame() {
        unreadableFrames.increment();
    }

    void unexpectedMessage() {
        unexpectedMessages.increment();
    }

    void countChurn() {
        churned.increment();
    }

    public long attempted() {
        return attempted.sum();
    }

    public long establishedTotal() {
        return established.sum();
    }

    public long failedTotal() {
        return failed.sum();
    }

    /** Viewers connected now: {@code connection_established} received and not closed since. */
    public int connectedNow() {
        return connected.get();
    }

    /** Refused connects by HTTP status. */
    public Map<Integer, Long> refusals() {
        return snapshot(refusals);
    }

    /** Other failed connects by reason. */
    public Map<String, Long> failureReasons() {
        return snapshot(failureReasons);
    }

    /** Connections closed by the server, by close code. */
    public Map<Integer, Long> closes() {
        return snapshot(closes);
    }

    public long closesTotal() {
        return closes.values().stream().mapToLong(LongAdder::sum).sum();
    }

    public long dropNotices() {
        return dropNotices.sum();
    }

    public long droppedMessages() {
        return droppedMessages.sum();
    }

    /** Stream events missed, told by {@code seq} jumps, at every viewer. */
    public long gaps() {
        return gaps.sum();
    }

    /** Stream events missed at healthy viewers. */
    public long healthyGaps() {
        return healthyGaps.sum();
    }

    /** Stream events whose {@code seq} was not above the previous one; the protocol rules them out. */
    public long seqRegressions() {
        return seqRegressions.sum();
    }

    public long pongs() {
        return pongs.sum();
    }

    /** Frames that were not a JSON object, or an event this version of the protocol does not know. */
    public long unreadable() {
        return unreadableFrames.sum() + unexpectedMessages.sum();
    }

    public long churned() {
        return churned.sum();
    }

    /**
     * Everything that went wrong on the viewer side: failed connects, connections the server closed or lost,
     * frames that could not be read, and {@code seq} going backwards.
     */
    public long errors() {
        return failedTotal() + closesTotal() + unreadable() + seqRegressions();
    }

    private static <K extends Comparable<K>> Map<K, Long> snapshot(Map<K, LongAdder> counters) {
        Map<K, Long> sorted = new TreeMap<>();
        counters.forEach((key, count) -> sorted.put(key, count.sum()));
        return sorted;
    }
}
