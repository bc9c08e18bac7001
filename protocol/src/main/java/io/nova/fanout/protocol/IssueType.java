package io.nova.fanout.protocol;

import java.util.Optional;

/** What kind of playback problem a viewer reports with {@code report_issue}. */
public enum IssueType implements WireValue {
    BUFFERING("buffering"),
    LAG("lag"),
    QUALITY("quality"),
    PLAYBACK_ERROR("playback_error"),
    OTHER("other");

    static final WireLookup<IssueType> WIRE = WireLookup.of(values());

    private final String wireName;

    IssueType(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<IssueType> fromWire(String wireName) {
        return WIRE.find(wireName);
    }
}
