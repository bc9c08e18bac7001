package io.nova.fanout.server.buffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ViewerOutboxTest {

    /** Every buffer a test made, so each test can check that none is left with a reference. */
    private final List<ByteBuf> made = new ArrayList<>();

    private ByteBuf frame(int id) {
        ByteBuf buf = Unpooled.buffer(4).writeInt(id);
        made.add(buf);
        return buf;
    }

    @AfterEach
    void releaseLeftovers() {
        for (ByteBuf buf : made) {
            if (buf.refCnt() > 0) {
                buf.release(buf.refCnt());
            }
        }
    }

    @Test
    void rejectsNonPositiveCapacity() {
        assertThatThrownBy(() -> new ViewerOutbox(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity: 0 (expected: > 0)");
        assertThatThrownBy(() -> new ViewerOutbox(-3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity: -3 (expected: > 0)");
    }

    @Test
    void startsEmpty() {
        ViewerOutbox outbox = new ViewerOutbox(3);
        assertThat(outbox.isEmpty()).isTrue();
        assertThat(outbox.size()).isZero();
        assertThat(outbox.capacity()).isEqualTo(3);
        assertThat(outbox.poll()).isNull();
        assertThat(outbox.takeDropped()).isZero();
    }

    @Test
    void pollsInFifoOrderAndHandsOwnershipToTheCaller() {
        ViewerOutbox outbox = new ViewerOutbox(4);
        for (int i = 0; i < 4; i++) {
            assertThat(outbox.offer(frame(i))).isTrue();
        }
        assertThat(outbox.size()).isEqualTo(4);
        for (int i = 0; i < 4; i++) {
            ByteBuf polled = outbox.poll();
            assertThat(polled).isSameAs(made.get(i));
            assertThat(polled.refCnt()).isEqualTo(1);
            assertThat(polled.getInt(0)).isEqualTo(i);
            polled.release();
        }
        assertThat(outbox.isEmpty()).isTrue();
        assertThat(outbox.poll()).isNull();
    }

    @Test
    void fullOutboxDropsAndReleasesTheOldest() {
        ViewerOutbox outbox = new ViewerOutbox(2);
        ByteBuf first = frame(1);
        ByteBuf second = frame(2);
        ByteBuf third = frame(3);
        assertThat(outbox.offer(first)).isTrue();
        assertThat(outbox.offer(second)).isTrue();

        assertThat(outbox.offer(third)).isFalse();

        assertThat(first.refCnt()).as("the oldest frame is released").isZero();
        assertThat(second.refCnt()).isEqualTo(1);
        assertThat(third.refCnt()).isEqualTo(1);
        assertThat(outbox.size()).isEqualTo(2);
        assertThat(outbox.poll()).isSameAs(second);
        assertThat(outbox.poll()).isSameAs(third);
        second.release();
        third.release();
    }

    @Test
    void takeDroppedCountsAndResets() {
        ViewerOutbox outbox = new ViewerOutbox(1);
        outbox.offer(frame(0));
        outbox.offer(frame(1));
        outbox.offer(frame(2));
        outbox.offer(frame(3));

        assertThat(outbox.takeDropped()).isEqualTo(3);
        assertThat(outbox.takeDropped()).isZero();

        outbox.offer(frame(4));
        assertThat(outbox.takeDropped()).isEqualTo(1);
        outbox.clear();
        assertThat(made).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void capacityOneKeepsOnlyTheNewest() {
        ViewerOutbox outbox = new ViewerOutbox(1);
        for (int i = 0; i < 5; i++) {
            assertThat(outbox.offer(frame(i))).isEqualTo(i == 0);
        }
        ByteBuf last = outbox.poll();
        assertThat(last.getInt(0)).isEqualTo(4);
        last.release();
        assertThat(made).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void clearReleasesEverythingAndStaysUsable() {
        ViewerOutbox outbox = new ViewerOutbox(3);
        outbox.offer(frame(0));
        outbox.offer(frame(1));
        outbox.offer(frame(2));

        outbox.clear();

        assertThat(outbox.isEmpty()).isTrue();
        assertThat(made).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());

        ByteBuf again = frame(9);
        assertThat(outbox.offer(again)).isTrue();
        assertThat(outbox.poll()).isSameAs(again);
        again.release();
    }

    @Test
    void clearOnANeverUsedOutboxIsHarmless() {
        ViewerOutbox outbox = new ViewerOutbox(3);
        outbox.clear();
        assertThat(outbox.isEmpty()).isTrue();
    }

    @Test
    void wrapsAroundOverManyOffersKeepingTheNewestInOrder() {
        int capacity = 7;
        ViewerOutbox outbox = new ViewerOutbox(capacity);
        int total = 1_001; // the last offer is not followed by a poll
        int polledSoFar = 0;
        for (int i = 0; i < total; i++) {
            outbox.offer(frame(i));
            // Interleave some polls so head and tail move independently around the ring.
            if (i % 3 == 0) {
                ByteBuf polled = outbox.poll();
                int id = polled.getInt(0);
                assertThat(id).isGreaterThanOrEqualTo(polledSoFar);
                polledSoFar = id + 1;
                polled.release();
            }
            assertThat(outbox.size()).isLessThanOrEqualTo(capacity);
        }

        List<Integer> remaining = new ArrayList<>();
        ByteBuf polled;
        while ((polled = outbox.poll()) != null) {
            remaining.add(polled.getInt(0));
            polled.release();
        }
        assertThat(remaining).hasSize(capacity);
        for (int i = 0; i < capacity; i++) {
            assertThat(remaining.get(i)).isEqualTo(total - capacity + i);
        }
        assertThat(made).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }

    @Test
    void droppedPlusHeldAccountsForEveryOffer() {
        ViewerOutbox outbox = new ViewerOutbox(5);
        int fitted = 0;
        for (int i = 0; i < 103; i++) {
            if (outbox.offer(frame(i))) {
                fitted++;
            }
        }
        assertThat(fitted).isEqualTo(5);
        assertThat(outbox.takeDropped()).isEqualTo(98);
        assertThat(made.stream().filter(b -> b.refCnt() == 1).count()).isEqualTo(5);
        outbox.clear();
        assertThat(made).allSatisfy(buf -> assertThat(buf.refCnt()).isZero());
    }
}
