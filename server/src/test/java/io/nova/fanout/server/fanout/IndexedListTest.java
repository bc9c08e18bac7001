package io.nova.fanout.server.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class IndexedListTest {

    private static final class Member {
        final String name;
        int index = -1;

        Member(String name) {
            this.name = name;
        }
    }

    private final IndexedList<Member> list = new IndexedList<>(m -> m.index, (m, i) -> m.index = i);

    @Test
    void removingAMemberMovesTheLastIntoItsPlaceAndKeepsIndicesTrue() {
        Member a = new Member("a");
        Member b = new Member("b");
        Member c = new Member("c");
        list.add(a);
        list.add(b);
        list.add(c);

        list.remove(a);

        assertThat(list.size()).isEqualTo(2);
        assertThat(list.get(0)).isSameAs(c);
        assertThat(c.index).isZero();
        assertThat(b.index).isEqualTo(1);
        assertThat(a.index).isEqualTo(-1);
    }

    @Test
    void removingSomethingNotInTheListChangesNothing() {
        Member a = new Member("a");
        Member stranger = new Member("stranger");
        stranger.index = 0;
        list.add(a);

        list.remove(stranger);
        list.remove(new Member("never added"));

        assertThat(list.size()).isEqualTo(1);
        assertThat(list.get(0)).isSameAs(a);
        assertThat(stranger.index).isZero();
    }

    @Test
    void backwardIterationVisitsEveryMemberOnceWhileVisitedMembersLeave() {
        List<Member> all = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            Member m = new Member("m" + i);
            all.add(m);
            list.add(m);
        }
        List<String> visited = new ArrayList<>();
        for (int i = list.size() - 1; i >= 0; i = Math.min(i, list.size()) - 1) {
            Member m = list.get(i);
            visited.add(m.name);
            if (visited.size() % 2 == 0) {
                list.remove(m);
            }
        }

        assertThat(visited).hasSize(10).doesNotHaveDuplicates();
        assertThat(list.size()).isEqualTo(5);
        assertThat(list.isEmpty()).isFalse();
    }
}
