package io.nova.fanout.server.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AddressLimitsTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    private final AtomicLong nanoTime = new AtomicLong(-5 * SECOND); // any origin, even a negative one
    private final InetAddress a = address("203.0.113.7");
    private final InetAddress b = address("203.0.113.8");

    @Test
    void connectionsAreCountedPerAddressUpToTheLimit() {
        AddressLimits limits = new AddressLimits(2, 0, 1, nanoTime::get);

        assertThat(limits.connectionOpened(a)).isTrue();
        assertThat(limits.connectionOpened(a)).isTrue();
        assertThat(limits.connectionOpened(a)).as("a third from the same address").isFalse();
        assertThat(limits.connectionOpened(b)).as("another address").isTrue();

        limits.connectionClosed(a); // the refused one
        limits.connectionClosed(a);
        assertThat(limits.connectionOpened(a)).as("a slot freed").isTrue();
    }

    @Test
    void anAddressWithoutConnectionsIsForgotten() {
        AddressLimits limits = new AddressLimits(2, 0, 1, nanoTime::get);
        limits.connectionOpened(a);
        limits.connectionOpened(b);
        limits.connectionClosed(a);

        assertThat(limits.trackedAddresses()).isEqualTo(1);
    }

    @Test
    void handshakesAreAllowedInABurstThenAtTheRate() {
        AddressLimits limits = new AddressLimits(0, 10, 5, nanoTime::get);

        for (int i = 0; i < 5; i++) {
            assertThat(limits.tryHandshake(a)).as("handshake %d of the burst", i + 1).isZero();
        }
        long wait = limits.tryHandshake(a);
        assertThat(wait).as("over the burst: wait one interval").isEqualTo(SECOND / 10);
        assertThat(limits.tryHandshake(b)).as("another address has its own burst").isZero();

        nanoTime.addAndGet(wait);
        assertThat(limits.tryHandshake(a)).isZero();
        assertThat(limits.tryHandshake(a)).isPositive();
    }

    @Test
    void refusedHandshakesDoNotPushTheWaitFurther() {
        AddressLimits limits = new AddressLimits(0, 1, 1, nanoTime::get);
        assertThat(limits.tryHandshake(a)).isZero();
        for (int i = 0; i < 100; i++) {
            assertThat(limits.tryHandshake(a)).isEqualTo(SECOND);
        }
        nanoTime.addAndGet(SECOND);
        assertThat(limits.tryHandshake(a)).isZero();
    }

    @Test
    void sweepForgetsAddressesOnceTheirBurstIsBack() {
        AddressLimits limits = new AddressLimits(10, 10, 5, nanoTime::get);
        limits.tryHandshake(a);
        limits.connectionOpened(b);
        limits.tryHandshake(b);

        limits.sweep();
        assertThat(limits.trackedAddresses()).as("a's rate has not recovered yet").isEqualTo(2);

        nanoTime.addAndGet(SECOND);
        limits.sweep();
        assertThat(limits.trackedAddresses()).as("b still holds a connection").isEqualTo(1);

        limits.connectionClosed(b);
        assertThat(limits.trackedAddresses()).isZero();
    }

    @Test
    void zeroMeansNoLimitAndNothingRemembered() {
        AddressLimits limits = new AddressLimits(0, 0, 1, nanoTime::get);
        for (int i = 0; i < 10_000; i++) {
            assertThat(limits.connectionOpened(a)).isTrue();
            assertThat(limits.tryHandshake(a)).isZero();
        }
        assertThat(limits.trackedAddresses()).isZero();
    }

    @Test
    void anIpv6AddressCountsAsItsSlash64() {
        AddressLimits limits = new AddressLimits(1, 0, 1, nanoTime::get);
        assertThat(limits.connectionOpened(address("2001:db8:1:2::1"))).isTrue();
        assertThat(limits.connectionOpened(address("2001:db8:1:2:ffff:ffff:ffff:fffe"))).as("same /64").isFalse();
        assertThat(limits.connectionOpened(address("2001:db8:1:3::1"))).as("next /64").isTrue();
        assertThat(AddressLimits.key(address("2001:db8:1:2:aaaa::1"))).isEqualTo(address("2001:db8:1:2::"));
        assertThat(AddressLimits.key(a)).isEqualTo(a);
    }

    private static InetAddress address(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
