package io.nova.fanout.server.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.SessionFixtures;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AddressLimitHandlerTest {
    private final AtomicLong nanoTime = new AtomicLong();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NovaMetrics metrics = SessionFixtures.metrics(meters);
    private final ListAppender<ILoggingEvent> logLines = new ListAppender<>();
    private final HandshakeLog handshakeLog = new HandshakeLog(HandshakeLogTest.recordingLogger(logLines), nanoTime::get);
    private final List<EmbeddedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() {
        channels.forEach(EmbeddedChannel::finishAndReleaseAll);
    }

    /** A connection from {@code address}, as a socket channel would report its peer. */
    private EmbeddedChannel connect(AddressLimits limits, String address) {
        ChannelHandler handler = new AddressLimitHandler(limits, metrics, handshakeLog);
        EmbeddedChannel channel = new EmbeddedChannel(handler) {
            @Override
            protected SocketAddress remoteAddress0() {
                return new InetSocketAddress(address, 40_000);
            }
        };
        channels.add(channel);
        return channel;
    }

    @Test
    void aConnectionOverTheAddressLimitIsRefused429AndClosed() {
        AddressLimits limits = new AddressLimits(2, 0, 1, nanoTime::get);
        EmbeddedChannel first = connect(limits, "203.0.113.7");
        EmbeddedChannel second = connect(limits, "203.0.113.7");
        EmbeddedChannel third = connect(limits, "203.0.113.7");

        FullHttpRequest request = request();
        third.writeInbound(request);

        FullHttpResponse response = third.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
            assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("5");
            assertThat(response.headers().get(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN)).isEqualTo("*");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo(
                    "{\"error_code\":\"RATE_LIMITED\",\"error_message\":\"too many connections from this address\"}");
        } finally {
            response.release();
        }
        assertThat(request.refCnt()).isZero();
        assertThat(third.isOpen()).isFalse();
        assertThat(third.<Object>readInbound()).isNull();
        assertThat(meters.get("nova.handshakes").tag("outcome", "RATE_LIMITED").counter().count()).isEqualTo(1);
        assertThat(logLines.list).singleElement().extracting(ILoggingEvent::getFormattedMessage).isEqualTo(
                "viewer handshake refused: 429 RATE_LIMITED \"too many connections from this address\" peer=203.0.113.7");

        // The closed connection gave its slot back, and the first two pass on their requests.
        assertThat(connect(limits, "203.0.113.7").isOpen()).isTrue();
        passesOn(first);
        passesOn(second);
    }

    @Test
    void requestsOverTheHandshakeRateAreRefusedWithTheWaitInRetryAfter() {
        AddressLimits limits = new AddressLimits(0, 1, 2, nanoTime::get);
        passesOn(connect(limits, "203.0.113.7"));
        passesOn(connect(limits, "203.0.113.7"));
        EmbeddedChannel third = connect(limits, "203.0.113.7");
        third.writeInbound(request());

        FullHttpResponse response = third.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
            assertThat(response.headers().get(HttpHeaderNames.RETRY_AFTER)).isEqualTo("1");
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("too many handshakes from this address");
        } finally {
            response.release();
        }
        passesOn(connect(limits, "203.0.113.8"));

        nanoTime.addAndGet(TimeUnit.SECONDS.toNanos(1));
        passesOn(connect(limits, "203.0.113.7"));
    }

    @Test
    void theHandlerLeavesOnceTheConnectionIsAViewerWhichKeepsItsSlot() {
        AddressLimits limits = new AddressLimits(1, 0, 1, nanoTime::get);
        EmbeddedChannel viewer = connect(limits, "203.0.113.7");
        viewer.pipeline().fireUserEventTriggered(
                new WebSocketServerProtocolHandler.HandshakeComplete("/api/v1/streams/s/ws", EmptyHttpHeaders.INSTANCE, null));

        assertThat(viewer.pipeline().get(AddressLimitHandler.class)).isNull();
        assertThat(limits.connectionOpened(java.net.InetAddress.getLoopbackAddress())).isTrue();
        EmbeddedChannel another = connect(limits, "203.0.113.7");
        another.writeInbound(request());
        FullHttpResponse response = another.readOutbound();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.TOO_MANY_REQUESTS);
        } finally {
            response.release();
        }
        viewer.close();
        assertThat(connect(limits, "203.0.113.7").isOpen()).isTrue();
        passesOn(channels.get(channels.size() - 1));
    }

    private static void passesOn(EmbeddedChannel channel) {
        FullHttpRequest request = request();
        channel.writeInbound(request);
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).isSameAs(request);
        passed.release();
        assertThat(channel.<Object>readOutbound()).isNull();
    }

    private static FullHttpRequest request() {
        HttpHeaders unused = EmptyHttpHeaders.INSTANCE;
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/api/v1/streams/s/ws?token=t");
    }
}
