package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/** Sent once, right after the WebSocket upgrade succeeds: who the viewer is in this session. */
public record ConnectionEstablished(
        String streamId, String viewerId, String sessionId, String protocolVersion, Instant timestamp)
        implements ServerMessage {

    public ConnectionEstablished {
        Objects.requireNonNull(streamId, "streamId");
        Objects.requireNonNull(viewerId, "viewerId");
        Objects.requireNonNull(sessionId, "sessionId");
        Objects.requireNonNull(protocolVersion, "protocolVersion");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String eventName() {
        return EventNames.CONNECTION_ESTABLISHED;
    }
}
