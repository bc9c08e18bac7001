package io.nova.fanout.server.fanout;

/** The single-node bus: events go straight to this process's viewers. */
public final class InProcessEventBus implements StreamEventBus {
    private final Fanout fanout;

    public InProcessEventBus(Fanout fanout) {
        this.fanout = fanout;
    }

    @Override
    public void publish(StreamFrame event) {
        fanout.deliver(event);
    }

    @Override
    public void forget(String streamId) {
        fanout.forget(streamId);
    }
}
