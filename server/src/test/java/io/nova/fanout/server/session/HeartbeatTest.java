package io.nova.fanout.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HeartbeatTest {
    private static final long MS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long PERIOD = 100 * MS;

    private EmbeddedChannel channel;
    private Heartbeat heartbeat;

    @BeforeEach
    void setUp() {
        channel = new EmbeddedChannel();
        channel.freezeTime();
        heartbeat = new Heartbeat(channel.eventLoop(), PERIOD);
    }

    /** Records the times it was ticked at; optionally does something on each tick. */
    private static final class Member implements Heartbeat.Member {
        final List<Long> ticks = new ArrayList<>();
        final List<Long> shutDowns = new ArrayList<>();
        LongConsumer onTick = now -> { };
        int index = -1;

        @Override
        public void onTick(long nowNanos) {
            ticks.add(nowNanos);
            onTick.accept(nowNanos);
        }

        @Override
        public void shutDown(long deadlineNanos) {
            shutDowns.add(deadlineNanos);
        }

        @Override
        public int heartbeatIndex() {
            return index;
        }

        @Override
        public void heartbeatIndex(int index) {
            this.index = index;
        }
    }

    private List<Member> register(int n) {
        List<Member> members = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Member m = new Member();
            heartbeat.register(m);
            members.add(m);
        }
        return members;
    }

    private void advance(long nanos) {
        channel.advanceTimeBy(nanos, TimeUnit.NANOSECONDS);
        channel.runPendingTasks();
    }

    @Test
    void sweepsEveryPeriodWithTheLoopsTime() {
        Member member = register(1).get(0);

        advance(PERIOD - 1);
        assertThat(member.ticks).isEmpty();

        advance(1);
        assertThat(member.ticks).containsExactly(channel.eventLoop().ticker().nanoTime());

        advance(PERIOD);
        assertThat(member.ticks).hasSize(2);
        assertThat(member.ticks.get(1) - member.ticks.get(0)).isEqualTo(PERIOD);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void shutDownTellsEveryMemberTheSameDeadlineOnTheLoop() {
        List<Member> members = register(3);
        long now = channel.eventLoop().ticker().nanoTime();

        heartbeat.shutDownMembers(5 * PERIOD);
        channel.runPendingTasks();

        assertThat(members).allSatisfy(m -> assertThat(m.shutDowns).containsExactly(now + 5 * PERIOD));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void registerNumbersMembersAndUnregisterMovesTheLastIntoTheGap() {
        List<Member> m = register(3);
        assertThat(m).extracting(x -> x.index).containsExactly(0, 1, 2);

        heartbeat.unregister(m.get(0));

        assertThat(heartbeat.size()).isEqualTo(2);
        assertThat(m.get(0).index).isEqualTo(-1);
        assertThat(m.get(2).index).isEqualTo(0);
        assertThat(m.get(1).index).isEqualTo(1);
        advance(PERIOD);
        assertThat(m.get(0).ticks).isEmpty();
        assertThat(m.get(1).ticks).hasSize(1);
        assertThat(m.get(2).ticks).hasSize(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unregisteringTheLastMemberNeedsNoSwap() {
        List<Member> m = register(2);

        heartbeat.unregister(m.get(1));

        assertThat(heartbeat.size()).isEqualTo(1);
        assertThat(m.get(0).index).isZero();
        assertThat(m.get(1).index).isEqualTo(-1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unregisteringAStrangerOrTwiceChangesNothing() {
        List<Member> m = register(2);
        Member stranger = new Member();
        stranger.index = 0; // a stale index that points at someone else's slot

        heartbeat.unregister(stranger);
        heartbeat.unregister(new Member());
        heartbeat.unregister(m.get(1));
        heartbeat.unregister(m.get(1));

        assertThat(heartbeat.size()).isEqualTo(1);
        assertThat(m.get(0).index).isZero();
        advance(PERIOD);
        assertThat(m.get(0).ticks).hasSize(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMemberLeavingDuringTheSweepMakesItSkipNoOneAndTickNoOneTwice() {
        List<Member> m = register(5);
        for (int leaving = 0; leaving < 5; leaving++) {
            Member member = m.get(leaving);
            member.onTick = now -> heartbeat.unregister(member);
        }

        advance(PERIOD);

        assertThat(m).allSatisfy(x -> assertThat(x.ticks).hasSize(1));
        assertThat(heartbeat.size()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMemberInTheMiddleLeavingDuringTheSweepMakesItSkipNoOne() {
        List<Member> m = register(5);
        m.get(2).onTick = now -> heartbeat.unregister(m.get(2));

        advance(PERIOD);

        assertThat(m).allSatisfy(x -> assertThat(x.ticks).hasSize(1));
        assertThat(heartbeat.size()).isEqualTo(4);
        advance(PERIOD);
        assertThat(m.get(2).ticks).hasSize(1);
        assertThat(List.of(m.get(0), m.get(1), m.get(3), m.get(4))).allSatisfy(x -> assertThat(x.ticks).hasSize(2));
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void membersRemovedByAnotherDuringTheSweepAreNotTickedAndNoRemainingOneIsSkipped() {
        List<Member> m = register(5);
        // Visited second (the sweep runs backwards): removes an unvisited member and a visited one.
        m.get(3).onTick = now -> {
            heartbeat.unregister(m.get(1));
            heartbeat.unregister(m.get(4));
        };

        advance(PERIOD);

        assertThat(m.get(1).ticks).isEmpty();
        assertThat(List.of(m.get(0), m.get(2), m.get(3), m.get(4))).allSatisfy(x -> assertThat(x.ticks).isNotEmpty());
        assertThat(heartbeat.size()).isEqualTo(3);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aMemberClearingTheWholeSweepEndsItWithoutFailing() {
        List<Member> m = register(4);
        m.get(2).onTick = now -> m.forEach(heartbeat::unregister);

        advance(PERIOD);

        assertThat(heartbeat.size()).isZero();
        assertThat(m.get(0).ticks).isEmpty();
        assertThat(m.get(1).ticks).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void stopEndsTheSweep() {
        Member member = register(1).get(0);
        advance(PERIOD);

        heartbeat.stop();
        advance(10 * PERIOD);

        assertThat(member.ticks).hasSize(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void periodIsATenthOfTheShortestTimer() {
        assertThat(Heartbeat.periodNanos(30_000 * MS, 200 * MS, 60_000 * MS)).isEqualTo(20 * MS);
        assertThat(Heartbeat.periodNanos(5_000 * MS)).isEqualTo(500 * MS);
    }

    @Test
    void periodIsNeverShorterThanTenMilliseconds() {
        assertThat(Heartbeat.periodNanos(50 * MS)).isEqualTo(10 * MS);
        assertThat(Heartbeat.periodNanos(1)).isEqualTo(10 * MS);
        assertThat(Heartbeat.periodNanos(0)).isEqualTo(10 * MS);
    }

    @Test
    void periodIsNeverLongerThanOneSecond() {
        assertThat(Heartbeat.periodNanos(TimeUnit.HOURS.toNanos(1))).isEqualTo(1_000 * MS);
        assertThat(Heartbeat.periodNanos()).isEqualTo(1_000 * MS);
    }

    @Test
    void sessionSettingsSweepAtATenthOfTheShortestHeartbeatTimerWhateverTheEndGrace() {
        ViewerSessions.Settings settings = new ViewerSessions.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(5), 100, 65536, 10, 20,
                Duration.ofSeconds(30));
        assertThat(settings.heartbeatPeriodNanos()).isEqualTo(200 * MS);

        // A zero grace period must not turn the sweep into a 100 Hz walk over every viewer.
        ViewerSessions.Settings noGrace = new ViewerSessions.Settings(Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(60), Duration.ZERO, 100, 65536, 10, 20,
                Duration.ofSeconds(30));
        assertThat(noGrace.heartbeatPeriodNanos()).isEqualTo(1000 * MS);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
