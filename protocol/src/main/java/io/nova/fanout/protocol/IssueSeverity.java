package io.nova.fanout.protocol;

import java.util.Optional;

/** How much a reported playback problem bothers the viewer ({@code report_issue.severity}). */
public enum IssueSeverity implements WireValue {
    LOW("low"),
    MEDIUM("medium"),
    HIGH("high");

    static final WireLookup<IssueSeverity> WIRE = WireLookup.of(values());

    private final String wireName;

    IssueSeverity(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<IssueSeverity> fromWire(String wireName) {
        return WIRE.find(wireName);
    }
}
