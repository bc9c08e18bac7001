package io.nova.fanout.server.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;

/** What {@link Fanout} needs of a viewer. Every method is called on the viewer's own event loop. */
public interface ViewerSession {

    EventLoop eventLoop();

    /** Writes or buffers the frame without flushing; takes ownership of it. */
    void deliver(ByteBuf frame, long seq, boolean endOfStream);

    /** Flushes what {@link #deliver} wrote; called once per batch of events. */
    void flush();

    /** The viewer's position in its loop group, kept by {@link Fanout} for constant-time removal. */
    int groupIndex();

    void groupIndex(int index);
}
