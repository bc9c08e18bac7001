package io.nova.fanout.server.conformance;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.nova.fanout.server.ServerConfig;
import io.nova.fanout.server.connect.HealthCheckHandler;
import io.nova.fanout.server.connect.Readiness;
import io.nova.fanout.server.connect.StaticAssetHandler;
import io.nova.fanout.server.connect.StaticAssets;
import io.nova.fanout.server.connect.ViewerChannelInitializer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The viewer port's pipeline, as {@link ViewerChannelInitializer} builds it with the default limits, with an
 * echo in place of the viewer's admission and session: the server the Autobahn WebSocket TestSuite runs its
 * fuzzing client against during {@code mvn verify} (see docs/conformance.md). Test code: it is not in the
 * server jar.
 */
public final class AutobahnEchoServer implements AutoCloseable {
    private final EventLoopGroup group;
    private final Channel listener;

    private AutobahnEchoServer(EventLoopGroup group, Channel listener) {
        this.group = group;
        this.listener = listener;
    }

    /** Listens on {@code address} with the frame limit and handshake timeout of {@code config}. */
    static AutobahnEchoServer start(InetSocketAddress address, ServerConfig config) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(initializer(config))
                    .bind(address).sync().channel();
            return new AutobahnEchoServer(group, listener);
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The viewer port's initializer, with {@link EchoAdmission} where the viewer's admission would be. */
    static ViewerChannelInitializer initializer(ServerConfig config) {
        int maxFrameBytes = config.maxFrameBytes();
        // No files: the Autobahn client upgrades at /, where the viewer port serves its demo page.
        // No per-address limits either (the suite connects from one address, case after case), and no TLS.
        return new ViewerChannelInitializer(new HealthCheckHandler(() -> Readiness.READY),
                new StaticAssetHandler(StaticAssets.of(Map.of())), ChannelInboundHandlerAdapter::new,
                () -> new EchoAdmission(maxFrameBytes), maxFrameBytes, config.handshakeTimeout().toMillis(), null);
    }

    @Override
    public void close() {
        listener.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /**
     * What the Maven plugin calls, on a thread of its own, with the port as the only argument; it interrupts
     * that thread once the suite is done, which stops the server.
     */
    public static void main(String[] args) throws UnknownHostException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: AutobahnEchoServer PORT");
        }
        int port = Integer.parseInt(args[0]);
        // The plugin dials this address and cannot be told another one; tests only ever use loopback.
        InetAddress host = InetAddress.getLocalHost();
        if (!host.isLoopbackAddress()) {
            throw new IllegalStateException("the Autobahn plugin connects to InetAddress.getLocalHost() = " + host
                    + ", which is not a loopback address (expected: the host name resolving to 127.0.0.1, "
                    + "or -Dautobahn.skip=true)");
        }
        try (AutobahnEchoServer server = start(new InetSocketAddress(host, port), ServerConfig.builder().build())) {
            server.listener.closeFuture().await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
