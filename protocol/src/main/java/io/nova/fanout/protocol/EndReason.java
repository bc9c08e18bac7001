package io.nova.fanout.protocol;

import java.util.Optional;

/** Why a stream ended ({@code stream_ended.reason}). */
public enum EndReason implements WireValue {
    /** The broadcaster ended the stream on purpose. */
    BROADCASTER_ENDED("broadcaster_ended"),
    /** The broadcaster's ingest connection dropped. */
    CONNECTION_LOST("connection_lost"),
    /** The stream was idle for too long. */
    SESSION_TIMEOUT("session_timeout"),
    /** The stream ended because of an error. */
    ERROR("error");

    static final WireLookup<EndReason> WIRE = WireLookup.of(values());

    private final String wireName;

    EndReason(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<EndReason> fromWire(String wireName) {
        return WIRE.find(wireName);
    }
}
