package io.nova.fanout.loadtest.viewer;

import io.netty.util.concurrent.EventExecutor;
import io.nova.fanout.loadtest.plan.ActiveTimeline;
import io.nova.fanout.loadtest.time.WallClock;
import io.nova.fanout.protocol.ProtocolCodec;
import java.util.Map;

/**
 * What every viewer connection works with, shared by all of them: the clock, the counters, the publishing
 * timeline, the codec for the rare message that is decoded in full, each event loop's shared state and the
 * fleet to report to.
 */
record ViewerServices(WallClock clock, ViewerStats stats, ActiveTimeline timeline, ProtocolCodec codec,
                      Map<EventExecutor, ViewerLoopState> loops, ViewerLifecycle lifecycle, long connectTimeoutNanos) {

    /** The state shared by the viewers of {@code loop}. */
    ViewerLoopState loopState(EventExecutor loop) {
        ViewerLoopState state = loops.get(loop);
        if (state == null) {
            throw new IllegalStateException("not one of the viewer event loops: " + loop);
        }
        return state;
    }
}
