package io.nova.fanout.loadtest.publish;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.resolver.NoopAddressResolverGroup;
import io.netty.util.AsciiString;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.nova.fanout.loadtest.system.Transport;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * A client of the server's broadcaster API: a few keep-alive connections that pipeline requests, all on one
 * event loop. A caller picks a lane per stream, so one stream's requests always share a connection and are
 * applied in the order they were sent. It sustains thousands of requests a second from one thread because
 * requests written in one burst go out with one flush, and answers are matched without any locking.
 */
public final class BroadcasterClient implements AutoCloseable {
    private final EventLoop loop;
    private final String pathPrefix;
    private final AsciiString host;
    private final AsciiString authorization;
    private final PipelinedConnection[] connections;

    /**
     * @param internalUrl {@code http://HOST[:PORT][/PREFIX]} of the broadcaster API
     * @param bearerToken a broadcaster token
     * @param connections how many connections to spread lanes over
     * @throws IllegalArgumentException if the URL is not such a URL or its host does not resolve
     */
    public BroadcasterClient(EventLoop loop, Transport transport, URI internalUrl, String bearerToken, int connections,
                             Duration connectTimeout) {
        if (!"http".equals(internalUrl.getScheme()) || internalUrl.getHost() == null || internalUrl.getQuery() != null) {
            throw new IllegalArgumentException("internal-url: " + internalUrl + " (expected: http://HOST[:PORT][/PATH])");
        }
        this.loop = loop;
        String path = internalUrl.getRawPath() == null ? "" : internalUrl.getRawPath();
        this.pathPrefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        this.host = AsciiString.of(internalUrl.getRawAuthority());
        this.authorization = AsciiString.of("Bearer " + bearerToken);
        InetSocketAddress server;
        try {
            server = new InetSocketAddress(InetAddress.getByName(internalUrl.getHost()),
                    internalUrl.getPort() < 0 ? 80 : internalUrl.getPort());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("internal-url: unknown host " + internalUrl.getHost(), e);
        }
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channel(transport.channelType())
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .resolver(NoopAddressResolverGroup.INSTANCE);
        this.connections = new PipelinedConnection[connections];
        for (int i = 0; i < connections; i++) {
            this.connections[i] = new PipelinedConnection(bootstrap, server);
        }
    }

    public EventLoop loop() {
        return loop;
    }

    /**
     * Sends a request on lane {@code lane}'s connection. Call {@link #flush()} after a burst of sends from
     * the client's loop; from another thread, sends are flushed at once.
     *
     * @param path the path under the internal URL, e.g. {@code /internal/v1/streams/a/start}
     * @param jsonBody the body, taken over by the client, or {@code null} for none
     * @return the answer, completed on the client's loop
     */
    public Future<HttpReply> send(int lane, HttpMethod method, String path, ByteBuf jsonBody) {
        Promise<HttpReply> reply = loop.newPromise();
        FullHttpRequest request = request(method, path, jsonBody);
        if (loop.inEventLoop()) {
            connections[lane % connections.length].send(request, reply);
        } else {
            loop.execute(() -> {
                connections[lane % connections.length].send(request, reply);
                flush();
            });
        }
        return reply;
    }

    /** Convenience for control requests: {@code jsonBody} as UTF-8, sent from any thread. */
    public Future<HttpReply> send(int lane, HttpMethod method, String path, String jsonBody) {
        return send(lane, method, path, jsonBody == null ? null : Unpooled.copiedBuffer(jsonBody, UTF_8));
    }

    /** Flushes what was sent since the last flush. Client loop only. */
    public void flush() {
        for (PipelinedConnection connection : connections) {
            connection.flush();
        }
    }

    @Override
    public void close() {
        loop.execute(() -> {
            for (PipelinedConnection connection : connections) {
                connection.close();
            }
        });
    }

    private FullHttpRequest request(HttpMethod method, String path, ByteBuf jsonBody) {
        ByteBuf content = jsonBody == null ? Unpooled.EMPTY_BUFFER : jsonBody;
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, pathPrefix + path, content);
        request.headers()
                .set(HttpHeaderNames.HOST, host)
                .set(HttpHeaderNames.AUTHORIZATION, authorization)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (jsonBody != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        }
        return request;
    }
}
