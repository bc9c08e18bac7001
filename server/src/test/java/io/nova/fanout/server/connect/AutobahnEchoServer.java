package io.nova.fanout.server.connect;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.nova.fanout.protocol.CloseCodes;
import io.nova.fanout.protocol.ProtocolLimits;
import java.net.InetAddress;
import java.net.InetSocketAddress;

/**
 * The Autobahn TestSuite's peer (test code only, run by the {@code autobahntestsuite-maven-plugin} in the
 * server module's {@code integration-test} phase): the viewer port's WebSocket framing, with the same
 * decoder configuration and the same frame aggregation up to the frame limit, and an echo where the viewer
 * session would be. The suite's fuzzing client sends every case; the echo sends back what it got.
 */
public final class AutobahnEchoServer {
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;
    private AutobahnEchoServer() {}

    /** @param args the port; the plugin connects to it on the address the local host name resolves to */
    public static void main(String[] args) throws InterruptedException {
        int maxFrameBytes = ProtocolLimits.MAX_FRAME_BYTES;
        Echo echo = new Echo();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Channel listener = new ServerBootstrap()
                    .group(group)
                    .channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            addHandlers(ch.pipeline(), maxFrameBytes, echo);
                        }
                    })
                    .bind(new InetSocketAddress(localHost(), Integer.parseInt(args[0]))).sync().channel();
            // The plugin interrupts this thread once the suite is done.
            listener.closeFuture().sync();
        } finally {
            group.shutdownGracefully().syncUninterruptibly();
        }
    }

    /** The viewer port's framing, as {@link ViewerChannelInitializer} and the viewer session install it. */
    static void addHandlers(ChannelPipeline p, int maxFrameBytes, Echo echo) {
        p.addLast(new HttpServerCodec(ViewerChannelInitializer.MAX_INITIAL_LINE_BYTES,
                ViewerChannelInitializer.MAX_HEADER_BYTES, ViewerChannelInitializer.MAX_REQUEST_BYTES));
        p.addLast(new HttpObjectAggregator(ViewerChannelInitializer.MAX_REQUEST_BYTES));
        p.addLast(new WebSocketServerProtocolHandler(
                ViewerChannelInitializer.webSocketConfig("/", maxFrameBytes, HANDSHAKE_TIMEOUT_MILLIS)));
        p.addLast(new WebSocketFrameAggregator(maxFrameBytes));
        p.addLast(echo);
    }

    @Sharable
    static final class Echo extends SimpleChannelInboundHandler<WebSocketFrame> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (frame instanceof TextWebSocketFrame || frame instanceof BinaryWebSocketFrame) {
                ctx.writeAndFlush(frame.retainedDuplicate());
            } // pongs: nothing to answer
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A message over the limit, as a viewer's session closes it; the decoder closes what it rejects.
            if (cause instanceof TooLongFrameException) {
                ctx.writeAndFlush(new CloseWebSocketFrame(CloseCodes.MESSAGE_TOO_BIG, "message too big"))
                        .addListener(f -> ctx.close());
            } else {
                ctx.close();
            }
        }
    }

    private static InetAddress localHost() {
        try {
            return InetAddress.getLocalHost();
        } catch (java.net.UnknownHostException e) {
            return InetAddress.getLoopbackAddress();
        }
    }
}
