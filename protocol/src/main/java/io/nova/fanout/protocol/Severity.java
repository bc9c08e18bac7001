package io.nova.fanout.protocol;

import java.util.Optional;

/** How bad an {@code error} event is for the viewer. */
public enum Severity implements WireValue {
    /** Informational only. */
    INFO("info"),
    /** May affect the viewing experience. */
    WARNING("warning"),
    /** The stream may be unavailable. */
    ERROR("error"),
    /** The stream is unavailable. */
    CRITICAL("critical");

    static final WireLookup<Severity> WIRE = WireLookup.of(values());

    private final String wireName;

    Severity(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<Severity> fromWire(String wireName) {
        return WIRE.find(wireName);
    }
}
