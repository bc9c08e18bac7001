package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/** Heartbeat; the viewer answers with a {@link Pong} echoing {@code sequence}. */
public record Ping(long sequence, Instant timestamp) implements ServerMessage {

    public Ping {
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.PING;
    }
}
