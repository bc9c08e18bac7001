package io.nova.fanout.server.session;

import java.util.concurrent.TimeUnit;

/**
 * A viewer's allowance of messages: {@code burst} at once, refilled at {@code perSecond} (a token bucket,
 * kept as the one timestamp of the generic cell rate algorithm). Refused messages come in episodes: the
 * first refusal of an episode is to be answered with {@code RATE_LIMITED}, and an episode longer than
 * another burst's worth of refusals ends the connection. An episode ends after a second without refusal.
 * Owned by the viewer's event loop; no allocation per message.
 */
final class InboundRateLimit {
    enum Verdict { ACCEPT, REFUSE_AND_WARN, REFUSE, CLOSE }

    private static final long EPISODE_GAP_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final long intervalNanos;
    private final long toleranceNanos;
    private final int burst;
    /** When the bucket would be full again if nothing more came: the algorithm's "theoretical arrival time". */
    private long fullAt;
    private boolean started;
    private int refusedInEpisode;
    private long lastRefusal;

    InboundRateLimit(int perSecond, int burst) {
        this.intervalNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        this.toleranceNanos = intervalNanos * (burst - 1);
        this.burst = burst;
    }

    Verdict onMessage(long now) {
        if (!started) {
            started = true;
            fullAt = now;
        }
        long start = fullAt - now > 0 ? fullAt : now;
        if (start - now <= toleranceNanos) {
            fullAt = start + intervalNanos;
            return Verdict.ACCEPT;
        }
        if (refusedInEpisode > 0 && now - lastRefusal > EPISODE_GAP_NANOS) {
            refusedInEpisode = 0;
        }
        lastRefusal = now;
        refusedInEpisode++;
        if (refusedInEpisode == 1) {
            return Verdict.REFUSE_AND_WARN;
        }
        return refusedInEpisode > burst ? Verdict.CLOSE : Verdict.REFUSE;
    }
}
