package io.nova.fanout.loadtest.time;

import java.time.Instant;

/**
 * The one clock of a run: wall-clock time with the resolution and monotonicity of {@link System#nanoTime()}.
 *
 * <p>Send times are scheduled and receipts are timed on the same clock, so a latency is a difference of two
 * readings of it. {@link Instant#now()} alone would do for the epoch, but it may step when NTP adjusts the
 * system clock and on some systems it only ticks every millisecond; calibrating it once against
 * {@code nanoTime} gives microseconds that never go backwards during the run. Thread-safe and immutable.
 */
public final class WallClock {
    private final long epochNanosAtCalibration;
    private final long nanoTimeAtCalibration;

    private WallClock(long epochNanosAtCalibration, long nanoTimeAtCalibration) {
        this.epochNanosAtCalibration = epochNanosAtCalibration;
        this.nanoTimeAtCalibration = nanoTimeAtCalibration;
    }

    /** Reads the system clock once and pins it to {@code nanoTime}. */
    public static WallClock calibrate() {
        long before = System.nanoTime();
        Instant now = Instant.now();
        long after = System.nanoTime();
        // The instant was read somewhere between the two nanoTime readings; the midpoint halves the error.
        long epochNanos = now.getEpochSecond() * 1_000_000_000L + now.getNano();
        return new WallClock(epochNanos, before + (after - before) / 2);
    }

    public long epochNanos() {
        return epochNanosAtCalibration + (System.nanoTime() - nanoTimeAtCalibration);
    }

    public long epochMicros() {
        return epochNanos() / 1_000;
    }

    public long epochMillis() {
        return epochNanos() / 1_000_000;
    }

    /** How long until {@code epochMillis}; negative once it has passed. */
    public long nanosUntil(long epochMillis) {
        return epochMillis * 1_000_000L - epochNanos();
    }

    /** The {@code System.nanoTime()} value at which this clock reads {@code epochMillis}. */
    public long nanoTimeAt(long epochMillis) {
        return nanoTimeAtCalibration + (epochMillis * 1_000_000L - epochNanosAtCalibration);
    }
}
