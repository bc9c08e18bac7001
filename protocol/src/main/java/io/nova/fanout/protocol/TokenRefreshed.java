package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * The server accepted a {@link RefreshToken}: the connection now lives by the new token. Not in the seed.
 *
 * @param expiresAt the new token's {@code exp}
 * @param timestamp when the server accepted it
 */
public record TokenRefreshed(Instant expiresAt, Instant timestamp) implements ServerMessage {

    public TokenRefreshed {
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.TOKEN_REFRESHED;
    }
}
