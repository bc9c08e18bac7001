package io.nova.fanout.loadtest.bench;

/** The scenarios of {@code loadtest/bench.sh}; {@link #id()} is the file name part bench.sh uses. */
public enum Scenario {
    FANOUT("fanout", "1. Fan-out"),
    MANY_STREAMS("many-streams", "2. Many streams"),
    CONNECTIONS("connections", "3. Connections"),
    SLOW_VIEWERS("slow-viewers", "4. Slow viewers");

    private final String id;
    private final String title;

    Scenario(String id, String title) {
        this.id = id;
        this.title = title;
    }

    public String id() {
        return id;
    }

    public String title() {
        return title;
    }
}
