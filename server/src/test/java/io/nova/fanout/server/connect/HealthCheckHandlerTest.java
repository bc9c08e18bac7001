package io.nova.fanout.server.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class HealthCheckHandlerTest {
    private final EmbeddedChannel channel = new EmbeddedChannel(new HealthCheckHandler(() -> Readiness.READY));

    @AfterEach
    void releaseLeftovers() {
        channel.finishAndReleaseAll(); // a no-op after a passing test
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    }

    private FullHttpResponse response() {
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).isNotNull();
        assertThat(channel.outboundMessages()).isEmpty();
        return response;
    }

    @Test
    void getHealthIs200WithStatusOk() {
        FullHttpRequest request = request(HttpMethod.GET, "/health");

        assertThat(channel.writeInbound(request)).as("nothing passed on").isFalse();

        FullHttpResponse response = response();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("{\"status\":\"ok\"}");
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(15);
            assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
        } finally {
            response.release();
        }
        assertThat(request.refCnt()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void headHealthIs200Too() {
        channel.writeInbound(request(HttpMethod.HEAD, "/health"));

        FullHttpResponse response = response();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH)).isEqualTo(15);
        } finally {
            response.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aQueryStringDoesNotHideTheHealthPath() {
        channel.writeInbound(request(HttpMethod.GET, "/health?probe=k8s"));

        FullHttpResponse response = response();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        } finally {
            response.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aKeepAliveProbeKeepsTheConnection() {
        channel.writeInbound(request(HttpMethod.GET, "/health"));
        response().release();
        channel.writeInbound(request(HttpMethod.GET, "/health"));
        response().release();

        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aProbeAskingToCloseGetsTheConnectionClosed() {
        FullHttpRequest request = request(HttpMethod.GET, "/health");
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);

        channel.writeInbound(request);

        FullHttpResponse response = response();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        } finally {
            response.release();
        }
        assertThat(channel.isOpen()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "PUT", "DELETE"})
    void otherMethodsOnHealthAre405(String method) {
        FullHttpRequest request = request(HttpMethod.valueOf(method), "/health");
        request.content().writeBytes("{}".getBytes(StandardCharsets.UTF_8));

        channel.writeInbound(request);

        FullHttpResponse response = response();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains("\"error_code\":\"METHOD_NOT_ALLOWED\"");
            assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualTo("close");
        } finally {
            response.release();
        }
        assertThat(request.refCnt()).isZero();
        assertThat(channel.isOpen()).as("an error response closes the connection").isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void a405NamesTheAllowedMethods() {
        channel.writeInbound(request(HttpMethod.POST, "/health"));

        FullHttpResponse response = response();
        try {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
            // RFC 9110 section 15.5.6: a 405 response MUST carry an Allow header.
            assertThat(response.headers().get(HttpHeaderNames.ALLOW)).as("Allow header").isNotNull();
            assertThat(response.headers().get(HttpHeaderNames.ALLOW)).contains("GET");
        } finally {
            response.release();
        }
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/", "/healthz", "/health/", "/ready/", "/api/v1/streams/s1/ws", "/metrics"})
    void otherPathsArePassedOnUntouched(String uri) {
        FullHttpRequest request = request(HttpMethod.GET, uri);
        request.content().writeBytes(Unpooled.copiedBuffer("body", StandardCharsets.UTF_8));

        assertThat(channel.writeInbound(request)).isTrue();

        FullHttpRequest passedOn = channel.readInbound();
        try {
            assertThat(passedOn).isSameAs(request);
            assertThat(passedOn.refCnt()).isEqualTo(1);
            assertThat(passedOn.content().toString(StandardCharsets.UTF_8)).isEqualTo("body");
        } finally {
            passedOn.release();
        }
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void readyIs200WhenReadyAnd503WhileStartingOrDraining() {
        for (Readiness state : Readiness.values()) {
            EmbeddedChannel probe = new EmbeddedChannel(new HealthCheckHandler(() -> state));
            probe.writeInbound(request(HttpMethod.GET, "/ready"));
            FullHttpResponse response = probe.readOutbound();
            assertThat(probe.finishAndReleaseAll()).isFalse();
            try {
                assertThat(response.status()).as(state.name())
                        .isEqualTo(state == Readiness.READY ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE);
                assertThat(response.content().toString(StandardCharsets.UTF_8))
                        .isEqualTo("{\"status\":\"" + state.status() + "\"}");
                assertThat(response.headers().get(HttpHeaderNames.CACHE_CONTROL)).isEqualTo("no-store");
            } finally {
                response.release();
            }
        }
        assertThat(Readiness.STARTING.status()).isEqualTo("starting");
        assertThat(Readiness.DRAINING.status()).isEqualTo("draining");
    }

    @Test
    void otherMethodsOnOtherPathsArePassedOnToo() {
        FullHttpRequest request = request(HttpMethod.POST, "/internal/v1/streams");

        channel.writeInbound(request);

        FullHttpRequest passedOn = channel.readInbound();
        assertThat(passedOn).isSameAs(request);
        passedOn.release();
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void isSharableAcrossChannels() {
        HealthCheckHandler shared = new HealthCheckHandler(() -> Readiness.READY);
        EmbeddedChannel a = new EmbeddedChannel(shared);
        EmbeddedChannel b = new EmbeddedChannel(shared);

        a.writeInbound(request(HttpMethod.GET, "/health"));
        b.writeInbound(request(HttpMethod.GET, "/health"));

        FullHttpResponse fromA = a.readOutbound();
        FullHttpResponse fromB = b.readOutbound();
        try {
            assertThat(fromA.status()).isEqualTo(HttpResponseStatus.OK);
            assertThat(fromB.status()).isEqualTo(HttpResponseStatus.OK);
        } finally {
            fromA.release();
            fromB.release();
        }
        assertThat(a.finishAndReleaseAll()).isFalse();
        assertThat(b.finishAndReleaseAll()).isFalse();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
