package io.nova.fanout.server.stream;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.StreamEventBus;
import io.nova.fanout.server.fanout.StreamFrame;
import io.nova.fanout.server.stream.StreamOutcome.Applied;
import io.nova.fanout.server.stream.StreamOutcome.Reason;
import io.nova.fanout.server.stream.StreamOutcome.Refused;
import io.nova.fanout.server.stream.Transition.Step;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every stream this node knows, and the sequencer that applies changes to them.
 *
 * <p>Each stream has a home event loop; all of its changes run there, one at a time, so each stream's
 * {@code seq} grows by one per event with no lock. A batch of changes is applied to a copy of the state,
 * encoded and size-checked as a whole, and only then committed and published: all or nothing.
 */
public final class StreamRegistry implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StreamRegistry.class);
    private static final List<StreamChange> ANNOUNCE_VIEWERS = List.of(new StreamChange.AnnounceViewers());

    private final ConcurrentHashMap<String, Stream> streams = new ConcurrentHashMap<>();
    private final Map<EventExecutor, List<Stream>> streamsByHome = new IdentityHashMap<>();
    private final List<ScheduledFuture<?>> tickers = new ArrayList<>();
    private final EventLoopGroup loops;
    private final FramePreEncoder encoder;
    private final StreamEventBus bus;
    private final Clock clock;
    private final int maxFrameBytes;
    /** Viewer-count messages one stream may send per tick, summed over its viewers; 0 for no limit. */
    private final long viewerCountBudgetPerTick;
    private final Duration endedRetention;

    /**
     * @param viewerCountBudget {@code viewer_count_changed} messages per second one stream may send, summed
     *        over its viewers: a large audience is announced every few ticks instead of every tick; 0 for no limit
     */
    public StreamRegistry(EventLoopGroup loops, FramePreEncoder encoder, StreamEventBus bus, Clock clock,
            int maxFrameBytes, Duration viewerCountInterval, int viewerCountBudget, Duration endedRetention) {
        this.loops = loops;
        this.encoder = encoder;
        this.bus = bus;
        this.clock = clock;
        this.maxFrameBytes = maxFrameBytes;
        this.endedRetention = endedRetention;
        long intervalNanos = viewerCountInterval.toNanos();
        this.viewerCountBudgetPerTick = viewerCountBudget == 0 ? 0
                : Math.max(1, viewerCountBudget * intervalNanos / TimeUnit.SECONDS.toNanos(1));
        for (EventExecutor loop : loops) {
            List<Stream> homed = new ArrayList<>();
            streamsByHome.put(loop, homed);
            // One ticker per event loop, not per stream: it batches the viewer counts of the streams homed there.
            tickers.add(loop.scheduleAtFixedRate(() -> announceViewers(homed), intervalNanos, intervalNanos,
                    TimeUnit.NANOSECONDS));
        }
    }

    public Optional<Stream> find(String streamId) {
        return Optional.ofNullable(streams.get(streamId));
    }

    public Collection<Stream> streams() {
        return streams.values();
    }

    /** Registers a stream, or updates the metadata of a registered one. */
    public Future<StreamOutcome> register(String streamId, StreamMetadata metadata) {
        Stream created = new Stream(streamId, loops.next(), StreamState.scheduled(streamId, metadata, clock.instant()));
        Stream existing = streams.putIfAbsent(streamId, created);
        if (existing == null) {
            Promise<StreamOutcome> promise = created.home().newPromise();
            created.home().execute(() -> {
                streamsByHome.get(created.home()).add(created);
                promise.setSuccess(new Applied(created.state(), 0, 0, true));
            });
            return promise;
        }
        return apply(existing, List.of(new StreamChange.UpdateMetadata(metadata)));
    }

    /** Applies changes to a stream in order, all or nothing. */
    public Future<StreamOutcome> apply(String streamId, List<StreamChange> changes) {
        Stream stream = streams.get(streamId);
        if (stream == null) {
            return ImmediateEventExecutor.INSTANCE.newSucceededFuture(
                    new Refused(Reason.NOT_FOUND, "no stream " + streamId + " is registered"));
        }
        return apply(stream, changes);
    }

    private Future<StreamOutcome> apply(Stream stream, List<StreamChange> changes) {
        EventLoop home = stream.home();
        Promise<StreamOutcome> promise = home.newPromise();
        home.execute(() -> {
            try {
                promise.setSuccess(sequence(stream, changes));
            } catch (RuntimeException e) {
                promise.setFailure(e);
            }
        });
        return promise;
    }

    private StreamOutcome sequence(Stream stream, List<StreamChange> changes) {
        StreamState state = stream.state();
        ViewerCounts viewers = stream.viewerCounts();
        Instant now = clock.instant();
        List<StreamFrame> frames = new ArrayList<>(changes.size());
        boolean committed = false;
        try {
            for (StreamChange change : changes) {
                Transition transition = change.apply(state, viewers, now);
                if (transition instanceof Refused refused) {
                    return refused;
                }
                Step step = (Step) transition;
                state = step.next();
                if (step.event() != null) {
                    long seq = state.seq() + 1;
                    ByteBuf frame = encoder.encode(step.event(), seq);
                    frames.add(new StreamFrame(stream.id(), seq, frame, step.endOfStream()));
                    int size = FramePreEncoder.payloadLength(frame);
                    if (size > maxFrameBytes) {
                        return new Refused(Reason.TOO_LARGE, step.event().eventName() + " encodes to " + size
                                + " bytes (expected: <= " + maxFrameBytes + ")");
                    }
                    state = state.withSeq(seq);
                }
            }
            stream.commit(state);
            committed = true;
            for (StreamFrame frame : frames) {
                bus.publish(frame);
            }
            if (state.status() == StreamStatus.ENDED && !frames.isEmpty() && frames.get(frames.size() - 1).endOfStream()) {
                stream.home().schedule(() -> forget(stream), endedRetention.toNanos(), TimeUnit.NANOSECONDS);
            }
            return frames.isEmpty()
                    ? new Applied(state, 0, 0, false)
                    : new Applied(state, frames.get(0).seq(), state.seq(), false);
        } finally {
            if (!committed) {
                frames.forEach(frame -> frame.frame().release());
            }
        }
    }

    private void announceViewers(List<Stream> homed) {
        for (int i = 0, n = homed.size(); i < n; i++) {
            Stream stream = homed.get(i);
            if (stream.state().status() != StreamStatus.ENDED && stream.mayAnnounceViewers()) {
                try {
                    if (sequence(stream, ANNOUNCE_VIEWERS) instanceof Applied applied && applied.lastSeq() > 0) {
                        // Every announcement goes to every viewer: a large audience waits more ticks for the next.
                        stream.skipViewerCountTicks(ticksPerAnnouncement(stream.viewerCounts().current()) - 1);
                    }
                } catch (RuntimeException e) {
                    // Netty never reschedules a periodic task that threw: keep the other streams' counts going.
                    log.warn("viewer count of stream {} failed", stream.id(), e);
                }
            }
        }
    }

    /** Ticks between two announcements to {@code audience} viewers, at least 1, so that they keep to the budget. */
    private int ticksPerAnnouncement(int audience) {
        if (viewerCountBudgetPerTick == 0 || audience <= viewerCountBudgetPerTick) {
            return 1;
        }
        return (int) Math.min(Integer.MAX_VALUE, (audience + viewerCountBudgetPerTick - 1) / viewerCountBudgetPerTick);
    }

    /** Drops an ended stream once its retention is over; until then handshakes for it get 410. */
    private void forget(Stream stream) {
        streams.remove(stream.id(), stream);
        streamsByHome.get(stream.home()).remove(stream);
        bus.forget(stream.id());
    }

    @Override
    public void close() {
        tickers.forEach(ticker -> ticker.cancel(false));
    }
}
