package io.nova.fanout.loadtest.publish;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;

/**
 * One keep-alive HTTP/1.1 connection that pipelines requests: up to {@value #MAX_UNANSWERED} are on the wire
 * at once, the rest wait here in order, and each answer (HTTP/1.1 answers in request order) completes the
 * oldest unanswered request and lets the next waiting one go. It reconnects when there is something to send
 * after a close. Confined to its event loop.
 */
final class PipelinedConnection {
    /**
     * Requests on the wire per connection. The broadcaster API stops reading beyond 16 unanswered requests,
     * so more would only sit in socket buffers (and a server's HTTP decoder may refuse a deeper pipeline).
     */
    static final int MAX_UNANSWERED = 16;
    /** Requests waiting for their turn before further ones fail at once: a bound on memory if the server stalls. */
    static final int MAX_WAITING = 65_536;

    /** A stream resource is under a kilobyte and an error smaller still; this is generous. */
    private static final int MAX_REPLY_BYTES = 1024 * 1024;

    private final Bootstrap bootstrap;
    private final InetSocketAddress server;
    private final ArrayDeque<Exchange> waiting = new ArrayDeque<>();
    private ChannelFuture connection;
    private ReplyMatcher replies;
    private boolean unflushed;

    PipelinedConnection(Bootstrap bootstrap, InetSocketAddress server) {
        this.bootstrap = bootstrap.clone().handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(MAX_REPLY_BYTES), new ReplyMatcher());
            }
        });
        this.server = server;
    }

    /** Queues {@code request}, taking ownership of it; it is written when its turn comes, see {@link #flush()}. */
    void send(FullHttpRequest request, Promise<HttpReply> reply) {
        if (waiting.size() >= MAX_WAITING) {
            request.release();
            reply.setFailure(new IllegalStateException(MAX_WAITING + " requests waiting on one connection"));
            return;
        }
        waiting.add(new Exchange(request, reply));
        writeWaiting();
    }

    /** Flushes the requests written since the last flush: one system call for a burst of requests. */
    void flush() {
        if (unflushed && replies != null) {
            unflushed = false;
            connection.channel().flush();
        }
    }

    void close() {
        if (connection != null) {
            connection.channel().close();
        }
        failWaiting(new ClosedChannelException());
    }

    /** Writes waiting requests while the pipeline has room; connects first if there is no connection. */
    private void writeWaiting() {
        if (replies == null) {
            connect();
            return;
        }
        Channel channel = connection.channel();
        // Bounded by MAX_UNANSWERED.
        while (!waiting.isEmpty() && replies.unanswered() < MAX_UNANSWERED) {
            Exchange next = waiting.poll();
            replies.expect(next.reply());
            // A failed write closes the channel, and the close fails every unanswered request, this one included.
            channel.write(next.request()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            unflushed = true;
        }
    }

    private void connect() {
        if (connection != null && !connection.isDone()) {
            return; // Already connecting; the waiting requests go out once it is done.
        }
        connection = bootstrap.connect(server);
        connection.addListener((ChannelFuture done) -> {
            if (!done.isSuccess()) {
                failWaiting(done.cause());
                return;
            }
            replies = done.channel().pipeline().get(ReplyMatcher.class);
            writeWaiting();
            flush();
        });
    }

    private void failWaiting(Throwable cause) {
        // Bounded by MAX_WAITING.
        for (Exchange exchange = waiting.poll(); exchange != null; exchange = waiting.poll()) {
            exchange.request().release();
            exchange.reply().tryFailure(cause);
        }
    }

    private record Exchange(FullHttpRequest request, Promise<HttpReply> reply) {
    }

    /** Matches each answer to the oldest unanswered request of its channel; fails them all when it closes. */
    private final class ReplyMatcher extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final ArrayDeque<Promise<HttpReply>> unanswered = new ArrayDeque<>();

        int unanswered() {
            return unanswered.size();
        }

        void expect(Promise<HttpReply> reply) {
            unanswered.add(reply);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            Promise<HttpReply> reply = unanswered.poll();
            if (reply == null) {
                ctx.close(); // An answer nobody asked for: the pipeline is out of step.
                return;
            }
            int status = response.status().code();
            boolean success = status >= 200 && status < 300;
            reply.trySuccess(new HttpReply(status, success ? "" : response.content().toString(UTF_8)));
            if (replies == this) {
                writeWaiting();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            flush();
            ctx.fireChannelReadComplete();
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            ClosedChannelException closed = new ClosedChannelException();
            // Bounded by MAX_UNANSWERED.
            for (Promise<HttpReply> reply = unanswered.poll(); reply != null; reply = unanswered.poll()) {
                reply.tryFailure(closed);
            }
            if (replies == this) {
                replies = null;
                unflushed = false;
                if (!waiting.isEmpty()) {
                    connect(); // Whatever had not been written yet goes out on a new connection.
                }
            }
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}
