package io.nova.fanout.server.auth;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The streams a token may touch, from its optional {@code streams} claim: absent or {@code "*"} grants
 * every stream, an array of strings grants exactly those (a {@code "*"} element grants every stream).
 */
public final class StreamGrant {

    private static final String WILDCARD = "*";
    private static final StreamGrant ANY = new StreamGrant(true, Set.of());

    /** Grants every stream. */
    public static StreamGrant any() {
        return ANY;
    }

    /** Grants exactly {@code streamIds}, or every stream if one of them is {@code "*"}. */
    public static StreamGrant of(Collection<String> streamIds) {
        final Set<String> copy = Set.copyOf(streamIds);
        return copy.contains(WILDCARD) ? ANY : new StreamGrant(false, copy);
    }

    /**
     * Reads the {@code streams} claim as the JWT library parsed it; empty if it has any other shape,
     * which makes the whole token malformed rather than silently granting nothing or everything.
     */
    static Optional<StreamGrant> fromClaim(Object claim) {
        if (claim == null || WILDCARD.equals(claim)) {
            return Optional.of(ANY);
        }
        if (!(claim instanceof List<?> elements)) {
            return Optional.empty();
        }
        final List<String> streamIds = new ArrayList<>(elements.size());
        for (Object element : elements) {
            if (!(element instanceof String streamId)) {
                return Optional.empty();
            }
            streamIds.add(streamId);
        }
        return Optional.of(of(streamIds));
    }

    private final boolean any;
    private final Set<String> streamIds;

    private StreamGrant(boolean any, Set<String> streamIds) {
        this.any = any;
        this.streamIds = streamIds;
    }

    public boolean allows(String streamId) {
        return any || streamIds.contains(streamId);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof StreamGrant that)) {
            return false;
        }
        return any == that.any && streamIds.equals(that.streamIds);
    }

    @Override
    public int hashCode() {
        return any ? 1 : streamIds.hashCode();
    }

    @Override
    public String toString() {
        return any ? "StreamGrant(any)" : "StreamGrant" + streamIds;
    }
}
