package io.nova.fanout.protocol;

import java.util.Optional;

/** Why the stream quality changed ({@code quality_changed.reason}). */
public enum QualityChangeReason implements WireValue {
    /** The server adapted to the network. */
    ADAPTIVE_BITRATE("adaptive_bitrate"),
    /** The broadcaster changed it by hand. */
    BROADCASTER_CHANGED("broadcaster_changed"),
    /** A network problem was detected. */
    NETWORK_CONGESTION("network_congestion"),
    /** A temporary network problem. */
    QUALITY_DEGRADATION("quality_degradation");

    static final WireLookup<QualityChangeReason> WIRE = WireLookup.of(values());

    private final String wireName;

    QualityChangeReason(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<QualityChangeReason> fromWire(String wireName) {
        return WIRE.find(wireName);
    }
}
