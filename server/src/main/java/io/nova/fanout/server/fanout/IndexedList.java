package io.nova.fanout.server.fanout;

import java.util.ArrayList;
import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;

/**
 * A list whose members remember their own index, so any member is removed in constant time by moving the
 * last one into its place. Order is not kept. Owned by one thread, like the event loop it serves.
 *
 * <p>Iterate it backwards, {@code for (int i = size() - 1; i >= 0; i = Math.min(i, size()) - 1)}, when a
 * visited member may leave during the iteration: no other member is skipped that way.
 */
public final class IndexedList<T> {
    private final ArrayList<T> members = new ArrayList<>();
    private final ToIntFunction<T> indexOf;
    private final ObjIntConsumer<T> setIndex;

    public IndexedList(ToIntFunction<T> indexOf, ObjIntConsumer<T> setIndex) {
        this.indexOf = indexOf;
        this.setIndex = setIndex;
    }

    public void add(T member) {
        setIndex.accept(member, members.size());
        members.add(member);
    }

    /** Removes the member; does nothing if it is not in this list. */
    public void remove(T member) {
        int index = indexOf.applyAsInt(member);
        if (index < 0 || index >= members.size() || members.get(index) != member) {
            return;
        }
        T last = members.remove(members.size() - 1);
        if (last != member) {
            members.set(index, last);
            setIndex.accept(last, index);
        }
        setIndex.accept(member, -1);
    }

    public T get(int index) {
        return members.get(index);
    }

    public int size() {
        return members.size();
    }

    public boolean isEmpty() {
        return members.isEmpty();
    }
}
