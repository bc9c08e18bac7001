package io.nova.fanout.loadtest.publish;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.nova.fanout.loadtest.plan.PhaseTimeline;
import io.nova.fanout.loadtest.plan.StreamSchedule;
import io.nova.fanout.loadtest.time.WallClock;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The broadcaster side of a run: publishes each stream's {@code bitrate_update}s through the broadcaster API
 * at the times its {@link StreamSchedule} gives, stamping each with its scheduled time. An event sent late,
 * because this thread or the server fell behind, still carries its scheduled time, so the lag counts in the
 * measured latency rather than quietly shifting the schedule: no coordinated omission.
 *
 * <p>Runs on the {@link BroadcasterClient}'s loop: one timer task sends whatever is due, flushes once, and
 * sleeps until the next send time.
 */
public final class Publisher {
    /** Sends per pass before letting the loop do I/O; only reached when far behind schedule. */
    private static final int MAX_SENDS_PER_PASS = 10_000;
    private static final int MIN_BITRATE_KBPS = 4_000;
    private static final int BITRATE_SPREAD_KBPS = 1_001;

    private final BroadcasterClient client;
    private final EventLoop loop;
    private final WallClock clock;
    private final PhaseTimeline timeline;
    private final PublishStats stats;
    private final String[] paths;
    private final StreamSchedule[] schedules;
    private final long[] nextDue;
    private final Promise<Void> finished;
    private final SplittableRandom random = new SplittableRandom();
    private int inFlight;
    private boolean exhausted;

    public Publisher(BroadcasterClient client, WallClock clock, PhaseTimeline timeline, List<String> streamIds,
                     PublishStats stats) {
        this.client = client;
        this.loop = client.loop();
        this.clock = clock;
        this.timeline = timeline;
        this.stats = stats;
        this.finished = loop.newPromise();
        int streams = streamIds.size();
        paths = new String[streams];
        schedules = new StreamSchedule[streams];
        nextDue = new long[streams];
        for (int s = 0; s < streams; s++) {
            paths[s] = "/internal/v1/streams/" + streamIds.get(s) + "/events";
            schedules[s] = new StreamSchedule(timeline, s, streams);
        }
    }

    public void start() {
        loop.execute(() -> {
            for (int s = 0; s < schedules.length; s++) {
                nextDue[s] = schedules[s].next();
            }
            publishDue();
        });
    }

    /** Publishes nothing scheduled at or after {@code epochMillis}: how stepping stops after a failed step. */
    public void stopAt(long epochMillis) {
        loop.execute(() -> {
            for (int s = 0; s < schedules.length; s++) {
                schedules[s].stopAt(epochMillis);
                if (nextDue[s] >= epochMillis) {
                    nextDue[s] = StreamSchedule.END;
                }
            }
            if (earliestDue() == StreamSchedule.END) {
                exhausted = true;
                completeIfDone();
            }
        });
    }

    /** Completes once every scheduled event is sent and answered (or failed). */
    public Future<Void> finished() {
        return finished;
    }

    private void publishDue() {
        long nowNanos = clock.epochNanos();
        int sent = 0;
        for (int s = 0; s < schedules.length && sent < MAX_SENDS_PER_PASS; s++) {
            while (nextDue[s] != StreamSchedule.END && nextDue[s] * 1_000_000 <= nowNanos && sent < MAX_SENDS_PER_PASS) {
                publish(s, nextDue[s], nowNanos);
                nextDue[s] = schedules[s].next();
                sent++;
            }
        }
        client.flush();
        long earliest = earliestDue();
        if (earliest == StreamSchedule.END) {
            exhausted = true;
            completeIfDone();
        } else if (sent == MAX_SENDS_PER_PASS) {
            loop.execute(this::publishDue);
        } else {
            loop.schedule(this::publishDue, Math.max(0, clock.nanosUntil(earliest)), TimeUnit.NANOSECONDS);
        }
    }

    private void publish(int stream, long scheduledMillis, long nowNanos) {
        stats.sent(nowNanos / 1_000 - scheduledMillis * 1_000);
        boolean measured = timeline.phaseAt(scheduledMillis) > 0;
        int kbps = MIN_BITRATE_KBPS + random.nextInt(BITRATE_SPREAD_KBPS);
        inFlight++;
        client.send(stream, HttpMethod.POST, paths[stream], BitrateEvents.body(ByteBufAllocator.DEFAULT, kbps, scheduledMillis))
                .addListener((Future<HttpReply> reply) -> {
                    inFlight--;
                    if (!reply.isSuccess()) {
                        stats.failed(String.valueOf(reply.cause()));
                    } else if (!reply.getNow().success()) {
                        stats.failed("HTTP " + reply.getNow().status() + " " + reply.getNow().body());
                    } else {
                        stats.published(stream, measured);
                    }
                    completeIfDone();
                });
    }

    private long earliestDue() {
        return Arrays.stream(nextDue).min().orElse(StreamSchedule.END);
    }

    private void completeIfDone() {
        if (exhausted && inFlight == 0) {
            finished.trySuccess(null);
        }
    }
}
