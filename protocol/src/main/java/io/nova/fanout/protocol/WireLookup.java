package io.nova.fanout.protocol;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * Wire name to constant, built once per enum. The map holds ready-made {@link Optional}s so a lookup on
 * the decode path allocates nothing.
 */
final class WireLookup<E extends Enum<E> & WireValue> {

    private final Map<String, Optional<E>> byWireName;
    private final String choices;

    private WireLookup(Map<String, Optional<E>> byWireName, String choices) {
        this.byWireName = byWireName;
        this.choices = choices;
    }

    static <E extends Enum<E> & WireValue> WireLookup<E> of(E[] constants) {
        Map<String, Optional<E>> byWireName = new HashMap<>();
        StringJoiner choices = new StringJoiner(", ");
        for (E constant : constants) {
            if (byWireName.put(constant.wireName(), Optional.of(constant)) != null) {
                throw new IllegalStateException("duplicate wire name: " + constant.wireName());
            }
            choices.add(constant.wireName());
        }
        return new WireLookup<>(Map.copyOf(byWireName), choices.toString());
    }

    Optional<E> find(String wireName) {
        // Immutable maps reject a null key, and null is a legitimate "absent" input here.
        return wireName == null ? Optional.empty() : byWireName.getOrDefault(wireName, Optional.empty());
    }

    /** The wire names in declaration order, for "expected one of ..." reasons. */
    String choices() {
        return choices;
    }
}
