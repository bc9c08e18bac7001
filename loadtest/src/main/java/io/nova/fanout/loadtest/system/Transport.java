package io.nova.fanout.loadtest.system;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/** The I/O transport of the load generator's client channels: native epoll where available, else NIO. */
public record Transport(String name, IoHandlerFactory ioHandlerFactory, Class<? extends SocketChannel> channelType) {

    public static Transport best() {
        return Epoll.isAvailable()
                ? new Transport("epoll", EpollIoHandler.newFactory(), EpollSocketChannel.class)
                : new Transport("nio", NioIoHandler.newFactory(), NioSocketChannel.class);
    }

    public boolean epoll() {
        return channelType == EpollSocketChannel.class;
    }

    /**
     * @param threads event loops; 0 means Netty's default, twice the number of cores
     * @param threadNamePrefix how the loops' threads are named, to tell them apart in a profile
     */
    public EventLoopGroup newGroup(int threads, String threadNamePrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadNamePrefix, true), ioHandlerFactory);
    }
}
