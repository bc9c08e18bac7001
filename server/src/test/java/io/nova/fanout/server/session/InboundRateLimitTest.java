package io.nova.fanout.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.nova.fanout.server.session.InboundRateLimit.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class InboundRateLimitTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long T0 = 123_456_789L;

    @Test
    void aBurstIsAcceptedThenTheRateRefillsIt() {
        InboundRateLimit limit = new InboundRateLimit(10, 20);
        for (int i = 0; i < 20; i++) {
            assertThat(limit.onMessage(T0)).as("message %d of the burst", i).isEqualTo(Verdict.ACCEPT);
        }
        assertThat(limit.onMessage(T0)).isEqualTo(Verdict.REFUSE_AND_WARN);
        assertThat(limit.onMessage(T0 + 50 * MS)).isEqualTo(Verdict.REFUSE);
        assertThat(limit.onMessage(T0 + 100 * MS)).as("one token back after 100 ms").isEqualTo(Verdict.ACCEPT);
        assertThat(limit.onMessage(T0 + 100 * MS)).isEqualTo(Verdict.REFUSE);
    }

    @Test
    void aSteadyRateWithinTheLimitIsNeverRefused() {
        InboundRateLimit limit = new InboundRateLimit(10, 20);
        for (int i = 0; i < 1_000; i++) {
            assertThat(limit.onMessage(T0 + i * 100 * MS)).isEqualTo(Verdict.ACCEPT);
        }
    }

    @Test
    void persistentExcessClosesAfterAnotherBurstOfRefusals() {
        InboundRateLimit limit = new InboundRateLimit(10, 20);
        List<Verdict> verdicts = new ArrayList<>();
        // 40 messages a second, four times the rate.
        for (int i = 0; i < 200 && !verdicts.contains(Verdict.CLOSE); i++) {
            verdicts.add(limit.onMessage(T0 + i * 25 * MS));
        }
        assertThat(verdicts).contains(Verdict.CLOSE);
        assertThat(verdicts.stream().filter(v -> v == Verdict.REFUSE_AND_WARN)).as("warned once").hasSize(1);
        assertThat(verdicts.stream().filter(v -> v != Verdict.ACCEPT)).as("refusals up to the close").hasSize(21);
    }

    @Test
    void occasionalBurstsAreWarnedEachTimeButNeverClosed() {
        InboundRateLimit limit = new InboundRateLimit(10, 20);
        long now = T0;
        for (int episode = 0; episode < 5; episode++) {
            List<Verdict> verdicts = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                verdicts.add(limit.onMessage(now));
            }
            assertThat(verdicts).doesNotContain(Verdict.CLOSE).containsOnlyOnce(Verdict.REFUSE_AND_WARN);
            now += TimeUnit.SECONDS.toNanos(5); // quiet long enough to refill and to end the episode
        }
    }
}
