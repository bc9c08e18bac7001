package io.nova.fanout.loadtest.viewer;

/** How many viewers a stream was dealt, and how many of them are healthy. */
public record StreamAudience(String streamId, int viewers, int healthyViewers) {
}
