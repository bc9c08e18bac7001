package io.nova.fanout.loadtest.auth;

import java.util.Optional;

/** Where viewer and broadcaster tokens come from: minted from the secret, or given. Thread-safe. */
public interface TokenSource {

    /** The token viewer number {@code viewer} (0-based) connects with. */
    String viewerToken(int viewer);

    /** The token for the broadcaster API, if there is one. */
    Optional<String> broadcasterToken();
}
