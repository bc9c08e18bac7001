package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URI;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.netty.util.concurrent.DefaultEventExecutor;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import io.nova.fanout.server.metrics.MetricNames;

/**
 * The keys of a JWKS document: read once at start, then re-read every refresh period and whenever a token
 * names a {@code kid} we do not know, on a thread of its own, so that an event loop only ever reads the
 * current immutable {@link VerificationKeys} and never waits for I/O.
 *
 * <p>Every read, whatever asked for it, starts at least {@link #minInterval()} after the previous one began:
 * a flood of tokens with made-up {@code kid}s costs the key server at most one request per interval. An
 * unknown {@code kid} within the interval schedules one read for the moment it ends, so that a key
 * published just after a read is known within the interval. A failed read keeps the keys we have.
 */
public final class JwksKeys implements MeterBinder, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(JwksKeys.class);

    /** A read that takes longer fails, and the keys we have stay; well under the default handshake timeout. */
    public static final Duration FETCH_TIMEOUT = Duration.ofSeconds(5);
    /** Caps the on-demand reads at two a minute per server, whatever the tokens say; see {@link #minInterval()}. */
    public static final Duration MAX_MIN_INTERVAL = Duration.ofSeconds(30);

    private final JwksReader reader;
    private final String location;
    private final EventExecutor executor;
    private final boolean ownsExecutor;
    private final long minIntervalNanos;
    private final AtomicReference<VerificationKeys> current = new AtomicReference<>(VerificationKeys.EMPTY);
    private final AtomicLong fetched = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private ScheduledFuture<?> periodic;

    // Guarded by this: which read runs or waits. Touched only by unknown kids and timers, never per frame.
    private long lastStartNanos;
    private Promise<Void> inFlight;
    private boolean followUpScheduled;

    /**
     * Reads {@code location} now, on the calling thread, and then every {@code refreshPeriod} on a daemon
     * thread of its own.
     *
     * @throws IllegalArgumentException if the first read fails or finds no usable key, with a message naming
     *         {@code jwksUrl} and saying why: like a bad value, a JWKS the server cannot use stops the start
     */
    public static JwksKeys start(URI location, Duration refreshPeriod) {
        final EventExecutor executor = new DefaultEventExecutor(new DefaultThreadFactory("nova-jwks", true));
        try {
            return start(JwksReader.of(location, FETCH_TIMEOUT), describe(location), refreshPeriod, executor, true);
        } catch (RuntimeException e) {
            executor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** As {@link #start(URI, Duration)}, with the reader and the background executor given (tests). */
    static JwksKeys start(JwksReader reader, String location, Duration refreshPeriod, EventExecutor executor,
                          boolean ownsExecutor) {
        final JwksKeys keys = new JwksKeys(reader, location, refreshPeriod, executor, ownsExecutor);
        keys.loadFirst();
        final long period = refreshPeriod.toNanos();
        keys.periodic = executor.scheduleWithFixedDelay(keys::refreshIfDue, period, period, TimeUnit.NANOSECONDS);
        return keys;
    }

    private JwksKeys(JwksReader reader, String location, Duration refreshPeriod, EventExecutor executor,
                     boolean ownsExecutor) {
        this.reader = requireNonNull(reader, "reader");
        this.location = requireNonNull(location, "location");
        this.executor = requireNonNull(executor, "executor");
        this.ownsExecutor = ownsExecutor;
        this.minIntervalNanos = minInterval(refreshPeriod).toNanos();
    }

    /**
     * {@code location} as logs and {@code /status} show it: without user info or query, which may hold
     * credentials.
     */
    public static String describe(URI location) {
        if (location.isOpaque() || (location.getRawUserInfo() == null && location.getRawQuery() == null)) {
            return location.toString();
        }
        return location.getScheme() + "://" + (location.getRawUserInfo() == null ? "" : "<redacted>@") +
               location.getHost() + (location.getPort() < 0 ? "" : ":" + location.getPort()) +
               location.getRawPath() + (location.getRawQuery() == null ? "" : "?<redacted>");
    }

    /**
     * The shortest time between two reads: {@link #MAX_MIN_INTERVAL}, or the refresh period if that is
     * shorter (an operator who asks for reads every 5 s gets them, and no more).
     */
    public static Duration minInterval(Duration refreshPeriod) {
        return refreshPeriod.compareTo(MAX_MIN_INTERVAL) < 0 ? refreshPeriod : MAX_MIN_INTERVAL;
    }

    /** The keys as of the last successful read. */
    VerificationKeys current() {
        return current.get();
    }

    /**
     * Asks for a read because a token named a {@code kid} we do not know. Returns the read to wait for (one
     * already running, or one started now), or {@code null} if the last read began less than the minimum
     * interval ago; then one read is scheduled for the end of the interval, and the token stays refused.
     * Never blocks; callable from any thread.
     */
    Future<Void> refreshForUnknownKey() {
        synchronized (this) {
            if (inFlight != null) {
                return inFlight;
            }
            final long wait = lastStartNanos + minIntervalNanos - executor.ticker().nanoTime();
            if (wait <= 0) {
                return startLocked();
            }
            if (!followUpScheduled) {
                followUpScheduled = true;
                executor.schedule(this::followUp, wait, TimeUnit.NANOSECONDS);
            }
            return null;
        }
    }

    private void followUp() {
        synchronized (this) {
            followUpScheduled = false;
        }
        refreshIfDue();
    }

    private void refreshIfDue() {
        synchronized (this) {
            if (inFlight == null && executor.ticker().nanoTime() - lastStartNanos >= minIntervalNanos) {
                startLocked();
            }
        }
    }

    private Promise<Void> startLocked() {
        lastStartNanos = executor.ticker().nanoTime();
        final Promise<Void> read = executor.newPromise();
        inFlight = read;
        executor.execute(() -> refresh(read));
        return read;
    }

    private void loadFirst() {
        synchronized (this) {
            lastStartNanos = executor.ticker().nanoTime();
        }
        final VerificationKeys keys;
        try {
            keys = read();
        } catch (IOException | ParseException e) {
            throw new IllegalArgumentException("jwksUrl: cannot load the JWKS from " + location + ": " + e.getMessage(), e);
        }
        if (keys.size() == 0) {
            throw new IllegalArgumentException("jwksUrl: the JWKS from " + location + " holds no usable key " +
                    "(expected: an RSA key of >= 2048 bits or an EC P-256 key, with a kid, for signatures)" +
                    (keys.notes().isEmpty() ? "" : "; " + String.join("; ", keys.notes())));
        }
        install(keys);
    }

    private void refresh(Promise<Void> read) {
        try {
            install(read());
        } catch (IOException | ParseException | RuntimeException e) {
            failed.incrementAndGet();
            log.warn("JWKS refresh from {} failed; keeping the {} keys read before: {}", location,
                    current.get().size(), e.getMessage());
        } finally {
            synchronized (this) {
                inFlight = null;
            }
            read.setSuccess(null);
        }
    }

    private VerificationKeys read() throws IOException, ParseException {
        return VerificationKeys.parse(reader.read());
    }

    private void install(VerificationKeys keys) {
        fetched.incrementAndGet();
        final VerificationKeys before = current.getAndSet(keys);
        // Every read would repeat the same lines every few minutes; only a change is news.
        if (!before.kids().equals(keys.kids()) || !before.notes().equals(keys.notes())) {
            final Set<String> kids = new TreeSet<>(keys.kids());
            log.info("JWKS from {}: {} usable keys, kids {}", location, keys.size(), kids);
            for (String note : keys.notes()) {
                log.warn("JWKS from {}: key {}", location, note);
            }
        }
    }

    /** Successful reads so far, the first included. */
    long fetches() {
        return fetched.get();
    }

    /** Failed reads so far. */
    long failures() {
        return failed.get();
    }

    Duration minInterval() {
        return Duration.ofNanos(minIntervalNanos);
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        FunctionCounter.builder(MetricNames.JWKS_READS.meterName(), fetched, AtomicLong::get)
                .description(MetricNames.JWKS_READS.description()).tag("outcome", "ok").register(registry);
        FunctionCounter.builder(MetricNames.JWKS_READS.meterName(), failed, AtomicLong::get)
                .description(MetricNames.JWKS_READS.description()).tag("outcome", "failed").register(registry);
        Gauge.builder(MetricNames.JWKS_KEYS.meterName(), current, keys -> keys.get().size())
                .description(MetricNames.JWKS_KEYS.description()).register(registry);
    }

    /** Stops the periodic reads; a read already running finishes on its own. */
    @Override
    public void close() {
        if (periodic != null) {
            periodic.cancel(false);
        }
        if (ownsExecutor) {
            executor.shutdownGracefully(0, 0, TimeUnit.SECONDS);
        }
    }

    @Override
    public String toString() {
        return "JwksKeys{" + location + ", " + current.get().size() + " keys}";
    }

    /** For tests: the kids of {@link #current()}. */
    List<String> kids() {
        return List.copyOf(new TreeSet<>(current.get().kids()));
    }
}
