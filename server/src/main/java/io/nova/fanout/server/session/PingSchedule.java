package io.nova.fanout.server.session;

/**
 * One viewer's application-level heartbeat, as plain arithmetic on nanosecond timestamps so it can be
 * tested without a channel and driven by one sweep per event loop instead of a timer per viewer.
 *
 * <p>A ping is answered by a pong echoing its sequence, which also yields the round-trip time. Clients
 * written to seed 003's example send pongs without a sequence on their own 30 s timer; such a pong
 * answers the outstanding ping if it arrived after the previous ping was sent, so those clients stay
 * connected without being measured. A pong with an unknown sequence is activity only.
 */
final class PingSchedule {
    enum Action { NONE, SEND_PING, CLOSE_PING_TIMEOUT, CLOSE_IDLE }

    private final long intervalNanos;
    private final long timeoutNanos;
    private final long idleNanos;
    private long lastInboundAt;
    private long nextPingAt;
    private long sequence;
    private boolean awaitingPong;
    private long pingSentAt;
    /** When the ping before the outstanding one was sent (or the connection opened). */
    private long answerWindowStart;
    private long lastUnsequencedPongAt;

    PingSchedule(long nowNanos, long intervalNanos, long timeoutNanos, long idleNanos) {
        this.intervalNanos = intervalNanos;
        this.timeoutNanos = timeoutNanos;
        this.idleNanos = idleNanos;
        this.lastInboundAt = nowNanos;
        this.nextPingAt = nowNanos + intervalNanos;
        this.pingSentAt = nowNanos;
        this.lastUnsequencedPongAt = nowNanos - 1;
    }

    /** What the sweep should do for this viewer now. {@link Action#SEND_PING} advances the sequence. */
    Action onTick(long now) {
        if (now - lastInboundAt >= idleNanos) {
            return Action.CLOSE_IDLE;
        }
        if (awaitingPong && now - pingSentAt >= timeoutNanos) {
            if (lastUnsequencedPongAt - answerWindowStart <= 0) {
                return Action.CLOSE_PING_TIMEOUT;
            }
            awaitingPong = false;
        }
        if (!awaitingPong && now - nextPingAt >= 0) {
            answerWindowStart = pingSentAt;
            pingSentAt = now;
            nextPingAt = now + intervalNanos;
            sequence++;
            awaitingPong = true;
            return Action.SEND_PING;
        }
        return Action.NONE;
    }

    /** The sequence of the ping most recently sent. */
    long sequence() {
        return sequence;
    }

    void onInbound(long now) {
        lastInboundAt = now;
    }

    /**
     * Records a pong.
     *
     * @return the round-trip time in nanoseconds when it echoes the outstanding ping, otherwise -1
     */
    long onPong(Long echoed, long now) {
        lastInboundAt = now;
        if (echoed == null) {
            lastUnsequencedPongAt = now;
            return -1;
        }
        if (awaitingPong && echoed == sequence) {
            awaitingPong = false;
            return now - pingSentAt;
        }
        return -1;
    }
}
