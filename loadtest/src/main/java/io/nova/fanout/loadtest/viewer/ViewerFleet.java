package io.nova.fanout.loadtest.viewer;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.concurrent.EventExecutor;
import io.nova.fanout.loadtest.auth.TokenSource;
import io.nova.fanout.loadtest.latency.LatencyBook;
import io.nova.fanout.loadtest.plan.ActiveTimeline;
import io.nova.fanout.loadtest.system.Transport;
import io.nova.fanout.loadtest.time.WallClock;
import io.nova.fanout.protocol.ProtocolCodec;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * All simulated viewers: their event loops (many connections each, never a thread per connection), the
 * paced initial connects, churn, and the close at the end of the run.
 */
public final class ViewerFleet implements AutoCloseable {
    /** How long the end of a run waits for every connection's close frame to go out. */
    private static final long CLOSE_WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final FleetSettings settings;
    private final TokenSource tokens;
    private final ViewerStats stats;
    private final EventLoopGroup group;
    private final Bootstrap bootstrap;
    private final ViewerServices services;
    private final ViewerSlot[] slots;
    private final ConnectPacer pacer;
    private final ChurnDriver churn;
    private final AtomicInteger initialUnsettled;
    private final AtomicLong lastInitialSettleNanos = new AtomicLong();
    private volatile long firstConnectNanos;
    private volatile boolean closing;

    /**
     * @param churnPerSecond healthy viewers disconnected and reconnected per second once {@link #startChurn}
     *        is called; 0 for none
     */
    public ViewerFleet(FleetSettings settings, double churnPerSecond, Transport transport, WallClock clock,
                       ViewerStats stats, LatencyBook latency, ActiveTimeline timeline, TokenSource tokens,
                       ProtocolCodec codec) {
        this.settings = settings;
        this.tokens = tokens;
        this.stats = stats;
        this.group = transport.newGroup(settings.ioThreads(), "nova-lt-viewer");

        Map<EventExecutor, ViewerLoopState> loops = new IdentityHashMap<>();
        for (EventExecutor loop : group) {
            loops.put(loop, new ViewerLoopState(latency.newLoopRecorder(loop)));
        }
        services = new ViewerServices(clock, stats, timeline, codec, Collections.unmodifiableMap(loops), new Lifecycle(),
                settings.connectTimeout().toNanos());

        bootstrap = new Bootstrap()
                .group(group)
                .channel(transport.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis()))
                // The target was resolved once; a lookup per connect would only cost time.
                .resolver(NoopAddressResolverGroup.INSTANCE);
        if (transport.epoll() && settings.sources().current() != null) {
            // Pick the ephemeral port at connect time, per destination, rather than reserving one per bind:
            // one source address then serves ~28,000 connections to each server port instead of ~28,000 in all.
            bootstrap.option(EpollChannelOption.IP_BIND_ADDRESS_NO_PORT, true);
        }

        BehaviourMix mix = new BehaviourMix(settings.viewers(), settings.slowFraction(), settings.silentFraction());
        slots = new ViewerSlot[settings.viewers()];
        List<ViewerSlot> healthy = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new ViewerSlot(i, settings.streamIds().get(i % settings.streamIds().size()), mix.next());
            if (slots[i].healthy()) {
                healthy.add(slots[i]);
            }
        }
        initialUnsettled = new AtomicInteger(slots.length);
        pacer = new ConnectPacer(group.next(), settings.connectRate(), slots.length, i -> connect(slots[i], false));
        churn = new ChurnDriver(group.next(), churnPerSecond, List.copyOf(healthy), stats);
    }

    /** Starts connecting every viewer at the configured rate; returns at once. */
    public void connectAll() {
        firstConnectNanos = System.nanoTime();
        pacer.start();
    }

    /** Whether every viewer's first connect has succeeded or failed. */
    public boolean initialConnectsSettled() {
        return initialUnsettled.get() == 0;
    }

    /** From the first connect to the last first connect settling, or so far if they have not all settled. */
    public Duration initialConnectDuration() {
        long end = initialConnectsSettled() ? lastInitialSettleNanos.get() : System.nanoTime();
        return Duration.ofNanos(Math.max(0, end - firstConnectNanos));
    }

    public void startChurn() {
        churn.start();
    }

    public void stopChurn() {
        churn.stop();
    }

    /** How many source addresses ran out of ephemeral ports and were moved past. */
    public int exhaustedSourceAddresses() {
        return settings.sources().exhausted();
    }

    /** Each stream's viewers, in stream order. */
    public List<StreamAudience> audiences() {
        List<StreamAudience> audiences = new ArrayList<>();
        for (String streamId : settings.streamIds()) {
            int viewers = 0;
            int healthy = 0;
            for (ViewerSlot slot : slots) {
                if (slot.streamId().equals(streamId)) {
                    viewers++;
                    healthy += slot.healthy() ? 1 : 0;
                }
            }
            audiences.add(new StreamAudience(streamId, viewers, healthy));
        }
        return audiences;
    }

    /** Closes every connection with a close frame 1000, then stops the event loops; waits a bounded time. */
    @Override
    public void close() {
        closing = true;
        pacer.stop();
        churn.stop();
        List<ChannelFuture> closes = new ArrayList<>();
        Arrays.stream(slots).map(ViewerSlot::connection).filter(Objects::nonNull)
                .forEach(connection -> closes.add(connection.closeDeliberately()));
        long deadline = System.nanoTime() + CLOSE_WAIT_NANOS;
        for (ChannelFuture close : closes) {
            long remaining = deadline - System.nanoTime();
            if (remaining <= 0 || !close.awaitUninterruptibly(remaining, TimeUnit.NANOSECONDS)) {
                break; // The rest are dropped by the event loops' shutdown.
            }
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /**
     * Starts one connect of {@code slot}; on an exhausted source address it retries from the next one.
     *
     * @param retry whether this continues an attempt already counted
     */
    private void connect(ViewerSlot slot, boolean retry) {
        connect(slot, retry, settings.sources().size());
    }

    private void connect(ViewerSlot slot, boolean retry, int addressesLeft) {
        if (closing) {
            return;
        }
        if (!retry) {
            stats.countAttempt();
        }
        InetSocketAddress local = settings.sources().current();
        URI uri = settings.endpoint().streamUri(slot.streamId(), tokens.viewerToken(slot.index()));
        long start = System.nanoTime();
        Bootstrap attempt = bootstrap.clone().handler(new ViewerChannelInitializer(uri, slot, services, start));
        if (slot.behaviour() == ViewerBehaviour.SLOW && settings.slowReceiveBuffer() > 0) {
            // Set before the connect, so the window the server sees is small from the handshake on.
            attempt.option(ChannelOption.SO_RCVBUF, settings.slowReceiveBuffer());
        }
        ChannelFuture connect = attempt.connect(settings.endpoint().address(), local);
        connect.addListener((ChannelFuture done) -> {
            if (done.isSuccess()) {
                return; // From here on the connection's ViewerHandler keeps count.
            }
            Throwable cause = done.cause();
            if (ConnectFailures.isSourceAddressExhausted(cause) && addressesLeft > 1 && settings.sources().moveOnFrom(local)) {
                connect(slot, true, addressesLeft - 1);
                return;
            }
            stats.failed(ConnectFailures.describe(cause));
            services.lifecycle().connectFailed(slot);
        });
    }

    private final class Lifecycle implements ViewerLifecycle {
        @Override
        public void established(ViewerSlot slot) {
            settleInitialConnect(slot);
        }

        @Override
        public void connectFailed(ViewerSlot slot) {
            settleInitialConnect(slot);
            slot.takeReconnectRequest(); // A churned viewer whose reconnect failed stays away.
        }

        @Override
        public void closed(ViewerSlot slot, boolean deliberate) {
            if (slot.takeReconnectRequest() && !closing) {
                connect(slot, false);
            }
        }

        private void settleInitialConnect(ViewerSlot slot) {
            if (slot.settleInitialConnect()) {
                lastInitialSettleNanos.accumulateAndGet(System.nanoTime(), Math::max);
                initialUnsettled.decrementAndGet();
            }
        }
    }
}
