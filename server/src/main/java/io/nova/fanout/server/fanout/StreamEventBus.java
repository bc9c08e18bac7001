package io.nova.fanout.server.fanout;

/**
 * The seam between where stream events come from and who receives them.
 *
 * <p>The stream's owner sequences and encodes an event, then publishes it here; the bus gets it to every
 * viewer of the stream. {@link InProcessEventBus} hands it straight to this node's {@link Fanout}; a
 * multi-node bus would carry the bytes over a broker and hand them to each node's {@code Fanout}.
 */
public interface StreamEventBus {

    /** Delivers the event to every viewer of its stream; takes ownership of the frame's reference. */
    void publish(StreamFrame event);

    /**
     * The stream is gone for good (ended and past its retention): whatever the bus keeps for it may go once
     * no viewer of it is left.
     */
    default void forget(String streamId) {
    }
}
