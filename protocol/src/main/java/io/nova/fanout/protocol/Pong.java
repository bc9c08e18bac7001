package io.nova.fanout.protocol;

/**
 * A viewer's heartbeat. Both fields are optional: the seed's example client sends pongs on its own
 * timer with only a timestamp, so any pong counts as a sign of life.
 *
 * @param sequence the {@link Ping#sequence()} being answered, or {@code null}
 * @param timestamp the client's clock, opaque to the server, or {@code null}
 */
public record Pong(Long sequence, String timestamp) implements ClientMessage {

    @Override
    public String eventName() {
        return EventNames.PONG;
    }
}
