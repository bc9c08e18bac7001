package io.nova.fanout.server.stream;

/** A stream's live viewer count and the highest count it has reached. */
public record ViewerCounts(int current, int peak) {
}
