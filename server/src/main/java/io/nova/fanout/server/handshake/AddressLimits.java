package io.nova.fanout.server.handshake;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * How many viewer-port connections each address holds and how fast it makes handshakes, shared by every
 * event loop. An IPv6 address counts as its /64, which one subscriber usually gets whole. Each address's
 * figures change under the map's lock for that address only, once per connection and handshake, never per
 * message; {@link #sweep()} forgets idle addresses so that the map follows the addresses in use.
 */
public final class AddressLimits {
    private final int maxConnections;
    private final long handshakeIntervalNanos;
    private final long burstToleranceNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<InetAddress, Usage> usage = new ConcurrentHashMap<>();

    /** Guarded by the map: read and written only inside its compute functions. */
    private static final class Usage {
        int connections;
        /** The GCRA's theoretical arrival time of the next handshake. */
        long nextHandshakeAt;
    }

    /**
     * @param maxConnections     per address; 0 for no limit
     * @param handshakesPerSecond per address, on average; 0 for no limit
     * @param handshakeBurst     handshakes an address may make at once above the rate
     */
    public AddressLimits(int maxConnections, int handshakesPerSecond, int handshakeBurst, LongSupplier nanoTime) {
        this.maxConnections = maxConnections;
        this.handshakeIntervalNanos = handshakesPerSecond == 0 ? 0 : TimeUnit.SECONDS.toNanos(1) / handshakesPerSecond;
        this.burstToleranceNanos = handshakeIntervalNanos * (handshakeBurst - 1L);
        this.nanoTime = nanoTime;
    }

    /**
     * Counts a new connection from {@code address}; it must be {@linkplain #connectionClosed closed} exactly
     * once, whatever this returns.
     *
     * @return whether the address is within its connection limit, this connection included
     */
    public boolean connectionOpened(InetAddress address) {
        if (maxConnections == 0) {
            return true;
        }
        long now = nanoTime.getAsLong();
        boolean[] within = new boolean[1];
        usage.compute(key(address), (k, u) -> {
            Usage counted = u == null ? newUsage(now) : u;
            counted.connections++;
            within[0] = counted.connections <= maxConnections;
            return counted;
        });
        return within[0];
    }

    public void connectionClosed(InetAddress address) {
        if (maxConnections == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        usage.computeIfPresent(key(address), (k, u) -> {
            u.connections--;
            return isIdle(u, now) ? null : u;
        });
    }

    /** @return 0 if {@code address} may make a handshake now, else how many nanoseconds until it may */
    public long tryHandshake(InetAddress address) {
        if (handshakeIntervalNanos == 0) {
            return 0;
        }
        long now = nanoTime.getAsLong();
        long[] wait = new long[1];
        usage.compute(key(address), (k, u) -> {
            Usage counted = u == null ? newUsage(now) : u;
            long next = Math.max(counted.nextHandshakeAt, now);
            if (next - now > burstToleranceNanos) {
                wait[0] = next - now - burstToleranceNanos;
            } else {
                counted.nextHandshakeAt = next + handshakeIntervalNanos;
            }
            return counted;
        });
        return wait[0];
    }

    /** Forgets the addresses that hold no connection and could make a whole burst of handshakes again. */
    public void sweep() {
        long now = nanoTime.getAsLong();
        usage.forEach((address, u) -> usage.computeIfPresent(address, (k, current) -> isIdle(current, now) ? null : current));
    }

    /** How many addresses are remembered; for tests and diagnostics. */
    int trackedAddresses() {
        return usage.size();
    }

    private Usage newUsage(long now) {
        Usage u = new Usage();
        u.nextHandshakeAt = now;
        return u;
    }

    private static boolean isIdle(Usage u, long now) {
        return u.connections == 0 && u.nextHandshakeAt - now <= 0;
    }

    /** The address, or for IPv6 its /64: the unit one subscriber controls. */
    static InetAddress key(InetAddress address) {
        if (!(address instanceof Inet6Address)) {
            return address;
        }
        byte[] bytes = address.getAddress();
        for (int i = 8; i < 16; i++) {
            bytes[i] = 0;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            throw new IllegalStateException(impossible); // 16 bytes are always an IPv6 address
        }
    }
}
