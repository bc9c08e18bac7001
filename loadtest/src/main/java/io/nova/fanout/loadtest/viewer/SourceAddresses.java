package io.nova.fanout.loadtest.viewer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The local addresses viewers connect from, used one at a time: when one runs out of ephemeral ports for the
 * target (about 28,000 by default on Linux, fewer while closed connections sit in TIME_WAIT), connects move
 * on to the next. The whole of 127.0.0.0/8 is local on Linux, so against a loopback target there are plenty.
 * Thread-safe.
 */
public final class SourceAddresses {
    /** How far the default loopback range goes: 127.0.0.1 to 127.0.0.64. */
    public static final int LOOPBACK_RANGE = 64;

    private final List<InetSocketAddress> addresses;
    private final AtomicInteger current = new AtomicInteger();

    private SourceAddresses(List<InetSocketAddress> addresses) {
        this.addresses = List.copyOf(addresses);
    }

    /** 127.0.0.1, then 127.0.0.2 and so on up to 127.0.0.{@value #LOOPBACK_RANGE}. */
    public static SourceAddresses loopbackRange() {
        List<InetSocketAddress> range = new ArrayList<>(LOOPBACK_RANGE);
        for (int host = 1; host <= LOOPBACK_RANGE; host++) {
            try {
                range.add(new InetSocketAddress(InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) host}), 0));
            } catch (UnknownHostException e) {
                throw new AssertionError(e); // Only thrown for an address of the wrong length.
            }
        }
        return new SourceAddresses(range);
    }

    /** The given addresses, in order. */
    public static SourceAddresses of(List<InetAddress> given) {
        return new SourceAddresses(given.stream().map(address -> new InetSocketAddress(address, 0)).toList());
    }

    /** No binding: the operating system picks the source address, as for a target that is not loopback. */
    public static SourceAddresses systemChosen() {
        return new SourceAddresses(List.of());
    }

    /** The address to connect from now, or {@code null} to let the system choose. */
    public InetSocketAddress current() {
        return addresses.isEmpty() ? null : addresses.get(Math.min(current.get(), addresses.size() - 1));
    }

    /** How many addresses a connect may try before giving up. */
    public int size() {
        return Math.max(1, addresses.size());
    }

    /**
     * Moves past {@code exhausted}, unless another connect already did.
     *
     * @return whether the current address is now a different one, worth a retry
     */
    public boolean moveOnFrom(InetSocketAddress exhausted) {
        if (exhausted == null) {
            return false;
        }
        int index = addresses.indexOf(exhausted);
        if (index + 1 < addresses.size()) {
            current.compareAndSet(index, index + 1);
        }
        return !exhausted.equals(current());
    }

    /** How many addresses were moved past so far. */
    public int exhausted() {
        return current.get();
    }
}
