package io.nova.fanout.protocol;

import java.util.Optional;

/** Where a stream is in its life ({@code stream_info.status}). */
public enum StreamStatus implements WireValue {
    /** Registered, not broadcasting yet. */
    SCHEDULED("scheduled"),
    /** Broadcasting. */
    ACTIVE("active"),
    /** Finished; it does not start again. */
    ENDED("ended");

    static final WireLookup<StreamStatus> WIRE = WireLookup.of(values());

    private final String wireName;

    StreamStatus(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<StreamStatus> fromWire(String wireName) {
        return WIRE.find(wireName);
    }
}
