package io.nova.fanout.loadtest.viewer;

/** What a viewer's connection tells the fleet about itself; called on the connection's event loop. */
interface ViewerLifecycle {

    /** {@code connection_established} arrived. */
    void established(ViewerSlot slot);

    /** The connect failed; the failure is already counted. */
    void connectFailed(ViewerSlot slot);

    /**
     * An established connection closed.
     *
     * @param deliberate whether the load generator closed it (churn, end of run) rather than the server
     */
    void closed(ViewerSlot slot, boolean deliberate);
}
