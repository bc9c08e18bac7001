package io.nova.fanout.server.stream;

import io.nova.fanout.protocol.ServerMessage;

/** The result of applying one {@link StreamChange} to a state: a step forward, or a refusal. */
public sealed interface Transition permits Transition.Step, StreamOutcome.Refused {

    /**
     * @param next        the state after the change (its {@code seq} is assigned when the event is)
     * @param event       the event to publish, or {@code null} when the change publishes none
     * @param endOfStream {@code true} when the event is the stream's last
     */
    record Step(StreamState next, ServerMessage event, boolean endOfStream) implements Transition {
    }
}
