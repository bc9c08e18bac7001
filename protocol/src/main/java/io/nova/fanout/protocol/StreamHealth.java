package io.nova.fanout.protocol;

import java.util.Optional;

/** How close the measured bitrate is to the nominal one ({@code bitrate_update.health}). */
public enum StreamHealth implements WireValue {
    /** More than 90 % of nominal. */
    EXCELLENT("excellent"),
    /** 70 % to 90 % of nominal. */
    GOOD("good"),
    /** 50 % to 70 % of nominal. */
    FAIR("fair"),
    /** Below 50 % of nominal. */
    POOR("poor");

    static final WireLookup<StreamHealth> WIRE = WireLookup.of(values());

    private final String wireName;

    StreamHealth(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<StreamHealth> fromWire(String wireName) {
        return WIRE.find(wireName);
    }

    /**
     * Classifies a measurement with the seed's thresholds. The seed's ranges overlap at their edges; they
     * are resolved so that exactly 90 % is {@link #GOOD}, exactly 70 % is {@link #GOOD} and exactly 50 %
     * is {@link #FAIR}. The ratio is compared in integer arithmetic, so no edge is lost to rounding.
     *
     * @throws IllegalArgumentException if {@code nominalKbps} is not positive
     */
    public static StreamHealth of(int currentKbps, int nominalKbps) {
        if (nominalKbps <= 0) {
            throw new IllegalArgumentException("nominalKbps: " + nominalKbps + " (expected: > 0)");
        }
        long tenTimesCurrent = 10L * currentKbps;
        long nominal = nominalKbps;
        if (tenTimesCurrent > 9 * nominal) {
            return EXCELLENT;
        }
        if (tenTimesCurrent >= 7 * nominal) {
            return GOOD;
        }
        if (tenTimesCurrent >= 5 * nominal) {
            return FAIR;
        }
        return POOR;
    }
}
