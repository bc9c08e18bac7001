package io.nova.fanout.server.session;

import static io.nova.fanout.server.session.PingSchedule.Action.CLOSE_IDLE;
import static io.nova.fanout.server.session.PingSchedule.Action.CLOSE_PING_TIMEOUT;
import static io.nova.fanout.server.session.PingSchedule.Action.NONE;
import static io.nova.fanout.server.session.PingSchedule.Action.SEND_PING;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PingScheduleTest {
    private static final long S = TimeUnit.SECONDS.toNanos(1);
    private static final long INTERVAL = 30 * S;
    private static final long TIMEOUT = 10 * S;
    private static final long IDLE = 60 * S;
    /** nanoTime values are arbitrary: start somewhere ordinary. */
    private static final long T0 = 1_000 * S;

    private static PingSchedule schedule(long start) {
        return new PingSchedule(start, INTERVAL, TIMEOUT, IDLE);
    }

    @Test
    void nothingToDoBeforeTheFirstInterval() {
        PingSchedule pings = schedule(T0);

        assertThat(pings.onTick(T0)).isEqualTo(NONE);
        assertThat(pings.onTick(T0 + INTERVAL - 1)).isEqualTo(NONE);
        assertThat(pings.sequence()).isZero();
    }

    @Test
    void firstPingIsDueOneIntervalAfterTheConnectionOpened() {
        PingSchedule pings = schedule(T0);

        assertThat(pings.onTick(T0 + INTERVAL)).isEqualTo(SEND_PING);
        assertThat(pings.sequence()).isEqualTo(1);
        assertThat(pings.onTick(T0 + INTERVAL)).as("one ping per due time").isEqualTo(NONE);
    }

    @Test
    void pingsFollowTheIntervalWithIncreasingSequenceWhileAnswered() {
        PingSchedule pings = schedule(T0);
        for (long n = 1; n <= 5; n++) {
            long due = T0 + n * INTERVAL;
            assertThat(pings.onTick(due - 1)).isEqualTo(NONE);
            assertThat(pings.onTick(due)).isEqualTo(SEND_PING);
            assertThat(pings.sequence()).isEqualTo(n);
            assertThat(pings.onPong(n, due + S)).isEqualTo(S);
        }
    }

    @Test
    void aLateSweepDoesNotMakePingsBunchUp() {
        PingSchedule pings = schedule(T0);
        long late = T0 + INTERVAL + 3 * S;

        assertThat(pings.onTick(late)).isEqualTo(SEND_PING);
        pings.onPong(1L, late);

        assertThat(pings.onTick(late + INTERVAL - 1)).isEqualTo(NONE);
        assertThat(pings.onTick(late + INTERVAL)).isEqualTo(SEND_PING);
    }

    @Test
    void echoedPongReturnsTheRoundTripTime() {
        PingSchedule pings = schedule(T0);
        pings.onTick(T0 + INTERVAL);

        assertThat(pings.onPong(1L, T0 + INTERVAL + 250_000_000L)).isEqualTo(250_000_000L);
    }

    @Test
    void theSameEchoTwiceIsMeasuredOnce() {
        PingSchedule pings = schedule(T0);
        pings.onTick(T0 + INTERVAL);
        pings.onPong(1L, T0 + INTERVAL + S);

        assertThat(pings.onPong(1L, T0 + INTERVAL + 2 * S)).isEqualTo(-1);
    }

    @Test
    void noSecondPingWhileTheFirstIsUnanswered() {
        PingSchedule pings = new PingSchedule(T0, S, 5 * S, IDLE); // timeout longer than the interval
        assertThat(pings.onTick(T0 + S)).isEqualTo(SEND_PING);

        assertThat(pings.onTick(T0 + 2 * S)).isEqualTo(NONE);
        assertThat(pings.onTick(T0 + 5 * S)).isEqualTo(NONE);
        assertThat(pings.sequence()).isEqualTo(1);

        pings.onPong(1L, T0 + 5 * S);
        assertThat(pings.onTick(T0 + 5 * S)).as("the overdue next ping goes at once").isEqualTo(SEND_PING);
        assertThat(pings.sequence()).isEqualTo(2);
    }

    @Test
    void unansweredPingTimesOutExactlyAfterTheTimeout() {
        PingSchedule pings = schedule(T0);
        long sent = T0 + INTERVAL;
        pings.onTick(sent);

        assertThat(pings.onTick(sent + TIMEOUT - 1)).isEqualTo(NONE);
        assertThat(pings.onTick(sent + TIMEOUT)).isEqualTo(CLOSE_PING_TIMEOUT);
    }

    @Test
    void answeredPingDoesNotTimeOut() {
        PingSchedule pings = schedule(T0);
        long sent = T0 + INTERVAL;
        pings.onTick(sent);
        pings.onPong(1L, sent + TIMEOUT - 1);

        assertThat(pings.onTick(sent + TIMEOUT)).isEqualTo(NONE);
        assertThat(pings.onTick(sent + INTERVAL - 1)).isEqualTo(NONE);
    }

    @Test
    void pongWithAnUnknownOrStaleSequenceIsNotAnAnswer() {
        PingSchedule pings = schedule(T0);
        pings.onTick(T0 + INTERVAL);
        pings.onPong(1L, T0 + INTERVAL + S);
        long sent = T0 + 2 * INTERVAL;
        pings.onTick(sent);

        assertThat(pings.onPong(1L, sent + S)).as("stale").isEqualTo(-1);
        assertThat(pings.onPong(7L, sent + S)).as("never sent").isEqualTo(-1);
        assertThat(pings.onTick(sent + TIMEOUT)).isEqualTo(CLOSE_PING_TIMEOUT);
    }

    @Test
    void pongWithoutSequenceAfterThePreviousPingAnswersTheOutstandingOne() {
        PingSchedule pings = schedule(T0);
        long first = T0 + INTERVAL;
        pings.onTick(first);
        pings.onPong(1L, first + S);
        long second = T0 + 2 * INTERVAL;
        // On the client's own timer: after ping 1 was sent, before ping 2 was.
        assertThat(pings.onPong(null, second - S)).as("not measured").isEqualTo(-1);
        assertThat(pings.onTick(second)).isEqualTo(SEND_PING);

        assertThat(pings.onTick(second + TIMEOUT)).isEqualTo(NONE);
        assertThat(pings.onTick(second + INTERVAL)).as("pinging goes on").isEqualTo(SEND_PING);
    }

    @Test
    void pongWithoutSequenceBeforeThePreviousPingIsNotAnAnswer() {
        PingSchedule pings = schedule(T0);
        long first = T0 + INTERVAL;
        pings.onTick(first);
        pings.onPong(null, first - S); // answers ping 1 (after the connection opened)
        assertThat(pings.onTick(first + TIMEOUT)).isEqualTo(NONE);
        long second = T0 + 2 * INTERVAL;
        assertThat(pings.onTick(second)).isEqualTo(SEND_PING);

        assertThat(pings.onTick(second + TIMEOUT)).as("no pong since ping 1 was sent").isEqualTo(CLOSE_PING_TIMEOUT);
    }

    @Test
    void silenceForTheIdleTimeoutClosesEvenWithoutPings() {
        PingSchedule pings = new PingSchedule(T0, 10 * IDLE, TIMEOUT, IDLE);

        assertThat(pings.onTick(T0 + IDLE - 1)).isEqualTo(NONE);
        assertThat(pings.onTick(T0 + IDLE)).isEqualTo(CLOSE_IDLE);
    }

    @Test
    void anyInboundMessageResetsTheIdleTimer() {
        PingSchedule pings = new PingSchedule(T0, 10 * IDLE, TIMEOUT, IDLE);
        pings.onInbound(T0 + 50 * S);

        assertThat(pings.onTick(T0 + IDLE)).isEqualTo(NONE);
        assertThat(pings.onTick(T0 + 50 * S + IDLE)).isEqualTo(CLOSE_IDLE);
    }

    @Test
    void anyPongResetsTheIdleTimer() {
        PingSchedule pings = new PingSchedule(T0, 10 * IDLE, TIMEOUT, IDLE);
        pings.onPong(12345L, T0 + 50 * S);

        assertThat(pings.onTick(T0 + IDLE)).isEqualTo(NONE);
        assertThat(pings.onTick(T0 + 50 * S + IDLE)).isEqualTo(CLOSE_IDLE);
    }

    @Test
    void idleTakesPrecedenceOverAPingTimeoutDueAtTheSameTime() {
        PingSchedule pings = new PingSchedule(T0, 50 * S, 10 * S, IDLE);
        pings.onTick(T0 + 50 * S);

        assertThat(pings.onTick(T0 + IDLE)).isEqualTo(CLOSE_IDLE);
    }

    @ParameterizedTest
    @ValueSource(longs = {Long.MAX_VALUE - 45 * 1_000_000_000L, Long.MIN_VALUE, -1L, 0L})
    void arithmeticSurvivesAnyNanoTimeOrigin(long start) {
        PingSchedule pings = schedule(start);
        long sent = start + INTERVAL; // may wrap around

        assertThat(pings.onTick(sent - 1)).isEqualTo(NONE);
        assertThat(pings.onTick(sent)).isEqualTo(SEND_PING);
        assertThat(pings.onPong(1L, sent + 2 * S)).isEqualTo(2 * S);
        long next = sent + INTERVAL;
        assertThat(pings.onTick(next)).isEqualTo(SEND_PING);
        assertThat(pings.onTick(next + TIMEOUT - 1)).isEqualTo(NONE);
        assertThat(pings.onTick(next + TIMEOUT)).isEqualTo(CLOSE_PING_TIMEOUT);
    }
}
