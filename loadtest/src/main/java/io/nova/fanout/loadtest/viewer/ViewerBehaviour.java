package io.nova.fanout.loadtest.viewer;

/** How a simulated viewer treats its connection. */
public enum ViewerBehaviour {
    /** Reads everything and answers every ping at once, like a well-behaved player. */
    HEALTHY,
    /** Stops reading right after {@code connection_established}, like a player whose tab froze. */
    SLOW,
    /** Reads everything but never answers a ping, like a client that predates heartbeats. */
    SILENT
}
