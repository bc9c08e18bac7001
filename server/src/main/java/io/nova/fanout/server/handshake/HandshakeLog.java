package io.nova.fanout.server.handshake;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One log line per viewer handshake outcome, at most {@link #LINES_PER_SECOND} a second after a burst of
 * {@link #BURST_LINES}: a flood of handshakes (an attack, a reconnect storm) must not turn into a flood of
 * log lines. Lines that are left out are counted, and the next line written says how many. A line names the
 * outcome, the stream, the viewer and the peer address; never the token, nor the query that carries it.
 * Shared by every event loop: one compare-and-set per handshake.
 */
public final class HandshakeLog {
    static final int LINES_PER_SECOND = 20;
    static final int BURST_LINES = 100;
    private static final long EMISSION_NANOS = TimeUnit.SECONDS.toNanos(1) / LINES_PER_SECOND;
    private static final long TOLERANCE_NANOS = EMISSION_NANOS * (BURST_LINES - 1);

    private final Logger log;
    private final LongSupplier nanoTime;
    /** The GCRA's theoretical arrival time of the next line. */
    private final AtomicLong nextLineAt;
    private final AtomicLong notLogged = new AtomicLong();

    public HandshakeLog(LongSupplier nanoTime) {
        this(LoggerFactory.getLogger(HandshakeLog.class), nanoTime);
    }

    HandshakeLog(Logger log, LongSupplier nanoTime) {
        this.log = log;
        this.nanoTime = nanoTime;
        this.nextLineAt = new AtomicLong(nanoTime.getAsLong());
    }

    public void accepted(Channel channel, String streamId, String viewerId) {
        if (log.isInfoEnabled() && mayLog()) {
            log.info("viewer handshake accepted: stream={} viewer={} peer={}{}", streamId, viewerId,
                     peer(channel.remoteAddress()), notLoggedSuffix());
        }
    }

    /** @param reason the refusal's message, as sent to the client; it never holds the token */
    public void refused(Channel channel, int status, String code, String reason) {
        if (log.isInfoEnabled() && mayLog()) {
            log.info("viewer handshake refused: {} {} \"{}\" peer={}{}", status, code, reason,
                     peer(channel.remoteAddress()), notLoggedSuffix());
        }
    }

    private boolean mayLog() {
        final long now = nanoTime.getAsLong();
        while (true) {
            final long next = nextLineAt.get();
            if (next - now > TOLERANCE_NANOS) {
                notLogged.incrementAndGet();
                return false;
            }
            if (nextLineAt.compareAndSet(next, Math.max(next, now) + EMISSION_NANOS)) {
                return true;
            }
        }
    }

    private String notLoggedSuffix() {
        final long skipped = notLogged.getAndSet(0);
        return skipped == 0 ? "" : " (" + skipped + " more handshakes not logged since the last line)";
    }

    private static String peer(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            return inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
        }
        return String.valueOf(address);
    }
}
