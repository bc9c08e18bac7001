package io.nova.fanout.loadtest.viewer;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One simulated viewer across its connections: which stream it watches, how it behaves, and the handler of
 * its current connection, if any. A churned viewer reconnects in the same slot. Thread-safe.
 */
final class ViewerSlot {
    private final int index;
    private final String streamId;
    private final ViewerBehaviour behaviour;
    private final AtomicBoolean initialConnectSettled = new AtomicBoolean();
    private final AtomicBoolean reconnectAfterClose = new AtomicBoolean();
    private volatile ViewerHandler connection;

    ViewerSlot(int index, String streamId, ViewerBehaviour behaviour) {
        this.index = index;
        this.streamId = streamId;
        this.behaviour = behaviour;
    }

    int index() {
        return index;
    }

    String streamId() {
        return streamId;
    }

    ViewerBehaviour behaviour() {
        return behaviour;
    }

    boolean healthy() {
        return behaviour == ViewerBehaviour.HEALTHY;
    }

    /** The handler of the established connection, or {@code null} between connections. */
    ViewerHandler connection() {
        return connection;
    }

    void attach(ViewerHandler handler) {
        connection = handler;
    }

    void detach(ViewerHandler handler) {
        if (connection == handler) {
            connection = null;
        }
    }

    /** True exactly once: when the viewer's first connect has either succeeded or failed for good. */
    boolean settleInitialConnect() {
        return initialConnectSettled.compareAndSet(false, true);
    }

    /** Asks for a new connection once the current one is closed; false if one is already asked for. */
    boolean requestReconnect() {
        return reconnectAfterClose.compareAndSet(false, true);
    }

    /** Whether a reconnect was asked for, clearing the request. */
    boolean takeReconnectRequest() {
        return reconnectAfterClose.getAndSet(false);
    }
}
