package io.nova.fanout.loadtest.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamScheduleTest {
    private static final long START = 1_700_000_000_000L;

    @Test
    void evenRatesGiveExactIntervals() {
        PhaseTimeline timeline = PublishPlan.steady(10, Duration.ZERO, Duration.ofMillis(500)).startingAt(START);

        assertThat(times(new StreamSchedule(timeline, 0, 1))).containsExactly(
                START, START + 100, START + 200, START + 300, START + 400);
    }

    @Test
    void unevenRatesAreRoundedToWholeMilliseconds() {
        PhaseTimeline timeline = PublishPlan.steady(3, Duration.ZERO, Duration.ofSeconds(2)).startingAt(START);

        assertThat(times(new StreamSchedule(timeline, 0, 1))).containsExactly(
                START, START + 333, START + 667, START + 1000, START + 1333, START + 1667);
    }

    @Test
    void streamsAreSpreadOverTheInterval() {
        PhaseTimeline timeline = PublishPlan.steady(10, Duration.ZERO, Duration.ofMillis(300)).startingAt(START);

        assertThat(times(new StreamSchedule(timeline, 0, 4))).containsExactly(START, START + 100, START + 200);
        assertThat(times(new StreamSchedule(timeline, 1, 4))).containsExactly(START + 25, START + 125, START + 225);
        assertThat(times(new StreamSchedule(timeline, 3, 4))).containsExactly(START + 75, START + 175, START + 275);
    }

    @Test
    void stepsFollowTheWarmupEachAtItsRate() {
        PublishPlan plan = PublishPlan.stepped(List.of(5.0, 10.0, 20.0), Duration.ofMillis(400), Duration.ofMillis(200));
        PhaseTimeline timeline = plan.startingAt(START);

        assertThat(plan.totalMillis()).isEqualTo(1_000);
        assertThat(times(new StreamSchedule(timeline, 0, 1))).containsExactly(
                START, START + 200,                   // warmup at the first rate, 5/s
                START + 400,                          // step 1: 5/s
                START + 600, START + 700,             // step 2: 10/s
                START + 800, START + 850, START + 900, START + 950); // step 3: 20/s
        assertThat(timeline.phaseAt(START - 1)).isEqualTo(PhaseTimeline.OUTSIDE);
        assertThat(timeline.phaseAt(START)).isEqualTo(PublishPlan.WARMUP);
        assertThat(timeline.phaseAt(START + 399)).isEqualTo(PublishPlan.WARMUP);
        assertThat(timeline.phaseAt(START + 400)).isEqualTo(1);
        assertThat(timeline.phaseAt(START + 999)).isEqualTo(3);
        assertThat(timeline.phaseAt(START + 1000)).isEqualTo(PhaseTimeline.OUTSIDE);
        assertThat(timeline.measuredStartMillis()).isEqualTo(START + 400);
    }

    @Test
    void anEmptyWarmupNeverClaimsATime() {
        PhaseTimeline timeline = PublishPlan.steady(10, Duration.ZERO, Duration.ofSeconds(1)).startingAt(START);

        assertThat(timeline.phaseAt(START)).isEqualTo(1);
    }

    @Test
    void stoppingCutsTheScheduleShort() {
        PhaseTimeline timeline = PublishPlan.steady(10, Duration.ZERO, Duration.ofSeconds(1)).startingAt(START);
        StreamSchedule schedule = new StreamSchedule(timeline, 0, 1);
        assertThat(schedule.next()).isEqualTo(START);

        schedule.stopAt(START + 250);

        assertThat(times(schedule)).containsExactly(START + 100, START + 200);
    }

    private static List<Long> times(StreamSchedule schedule) {
        List<Long> times = new ArrayList<>();
        for (long due = schedule.next(); due != StreamSchedule.END && times.size() < 1_000; due = schedule.next()) {
            times.add(due);
        }
        return times;
    }
}
