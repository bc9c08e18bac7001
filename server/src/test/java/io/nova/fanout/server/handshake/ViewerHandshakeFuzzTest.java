package io.nova.fanout.server.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.util.ReferenceCountUtil;
import io.nova.fanout.protocol.ConnectionEstablished;
import io.nova.fanout.protocol.StreamStarted;
import io.nova.fanout.server.handshake.FuzzedViewerTraffic.Step;
import io.nova.fanout.server.handshake.FuzzedViewerTraffic.Traffic;
import io.nova.fanout.server.handshake.FuzzedViewerTraffic.Wait;
import io.nova.fanout.server.handshake.FuzzedViewerTraffic.Write;
import io.nova.fanout.server.handshake.ViewerPortWorld.Tokens;
import io.nova.fanout.server.handshake.ViewerWire.Frame;
import io.nova.fanout.server.handshake.ViewerWire.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * Whatever arrives on the viewer port, the real pipeline answers with HTTP statuses of docs/protocol.md or with an
 * upgrade it only grants a valid token, lets no exception escape, logs no warning, and leaves the connection
 * closed or upgraded with every buffer released. The plain build runs these on the committed inputs under
 * {@code ViewerHandshakeFuzzTestInputs/}; see docs/fuzzing.md for fuzzing them.
 */
class ViewerHandshakeFuzzTest {
    /** Every status the viewer port answers with, but 101; see docs/protocol.md. */
    private static final Set<Integer> HTTP_STATUSES =
            Set.of(100, 200, 304, 400, 401, 403, 404, 405, 408, 410, 413, 414, 417, 429, 431, 503);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Structured traffic: mostly-valid upgrade requests, so that the fuzzer gets past the first checks. */
    @FuzzTest(maxDuration = "5m")
    void anyTrafficGetsADocumentedAnswer(FuzzedDataProvider data) {
        Traffic traffic = FuzzedViewerTraffic.from(data);
        ViewerWire wire = exchange(traffic.steps(), traffic.sent(), traffic.origins(), traffic.maxConnections());
        if (traffic.valid()) {
            assertThat(wire.upgraded()).as("a valid upgrade to \"live\" is accepted").isTrue();
            assertThat(wire.frames()).extracting(Frame::message).hasExactlyElementsOfTypes(
                    ConnectionEstablished.class, StreamStarted.class);
        }
    }

    /**
     * Raw bytes in one write. {@code $TOKEN} in them stands for a token valid for every stream and
     * {@code $OTHER_TOKEN} for one that grants only another stream, which the fuzzer could never forge itself.
     */
    @FuzzTest(maxDuration = "5m")
    void anyBytesGetADocumentedAnswer(byte[] input) {
        byte[] sent = new String(input, StandardCharsets.ISO_8859_1)
                .replace("$OTHER_TOKEN", Tokens.OTHER_STREAM)
                .replace("$TOKEN", Tokens.ANY_STREAM)
                .getBytes(StandardCharsets.ISO_8859_1);
        exchange(List.of(new Write(sent)), sent, AllowedOrigins.of(List.of(AllowedOrigins.ANY)), 10);
    }

    private static ViewerWire exchange(List<Step> steps, byte[] sent, AllowedOrigins origins, int maxConnections) {
        try {
            return exchangeAndCheck(steps, sent, origins, maxConnections);
        } catch (AssertionError | RuntimeException e) {
            // What was sent, with how it was cut and timed, is what one needs to see to understand a finding.
            throw new AssertionError(e.getMessage() + "\nafter " + describe(steps), e);
        }
    }

    private static String describe(List<Step> steps) {
        StringBuilder out = new StringBuilder();
        for (Step step : steps) {
            String shown = step instanceof Write write
                    ? "write " + new String(write.bytes(), StandardCharsets.ISO_8859_1)
                    : "wait " + ((Wait) step).millis() + " ms";
            out.append("\n  ").append(shown.length() > 2_000 ? shown.substring(0, 2_000) + "..." : shown);
        }
        return out.toString();
    }

    private static ViewerWire exchangeAndCheck(List<Step> steps, byte[] sent, AllowedOrigins origins,
            int maxConnections) {
        ListAppender<ILoggingEvent> logged = captureLogs();
        try (ViewerPortWorld world = new ViewerPortWorld(origins, maxConnections)) {
            EmbeddedChannel viewer = world.viewer;
            ByteBuf written = Unpooled.buffer();
            try {
                for (Step step : steps) {
                    if (!viewer.isOpen()) {
                        break; // a closed socket delivers nothing more
                    }
                    if (step instanceof Write write) {
                        viewer.writeInbound(world.allocator.heapBuffer(write.bytes().length).writeBytes(write.bytes()));
                    } else {
                        viewer.advanceTimeBy(((Wait) step).millis(), TimeUnit.MILLISECONDS);
                    }
                    viewer.runPendingTasks();
                    drainInto(viewer, written);
                }
                // Past the deadline for a complete request: whatever is still HTTP must be cut off by now.
                viewer.advanceTimeBy(ViewerPortWorld.REQUEST_TIMEOUT_MILLIS + 1_000, TimeUnit.MILLISECONDS);
                viewer.runPendingTasks();
                drainInto(viewer, written);

                ViewerWire wire = ViewerWire.read(written);
                checkResponses(wire, viewer.isOpen(), sent);
                if (wire.upgraded()) {
                    checkUpgrade(wire, world, sent);
                } else {
                    assertThat(viewer.isOpen()).as("a connection neither upgraded nor closed after the request deadline")
                            .isFalse();
                    assertThat(world.audience()).as("viewers without an upgrade").isZero();
                }
                viewer.close();
                viewer.runPendingTasks();
                drainInto(viewer, Unpooled.buffer());
                assertThat(world.limiter.open()).as("connection slots held after the close").isZero();
                assertThat(world.audience()).as("viewers left after the close").isZero();
                assertThat(logged.list).as("warnings logged").isEmpty();
                return wire;
            } finally {
                written.release();
            }
        } finally {
            ((Logger) LoggerFactory.getLogger("io.nova")).detachAppender(logged);
        }
    }

    private static void checkResponses(ViewerWire wire, boolean open, byte[] sent) {
        String request = new String(sent, StandardCharsets.ISO_8859_1);
        boolean expectation = request.toLowerCase(Locale.ROOT).contains("expect:");
        List<Response> responses = wire.responses();
        for (int i = 0; i < responses.size(); i++) {
            Response response = responses.get(i);
            boolean last = i == responses.size() - 1;
            if (response.status() == 101) {
                continue; // ViewerWire reads frames after it, so it is the last response
            }
            assertThat(response.status()).as("status").isIn(HTTP_STATUSES);
            if (response.status() == 100) {
                assertThat(last).as("a final response after 100 Continue").isFalse();
            }
            boolean continueRefusal = expectation && response.status() == 413
                    && "0".equals(response.header("content-length"));
            if (continueRefusal) {
                // Netty's own 413 to Expect: 100-continue over the limit, kept bodiless (JsonHttpObjectAggregator).
                assertThat(response.header("connection")).as("Connection of a bodiless 413").isNull();
                continue;
            }
            if (response.bodyOmitted()) {
                assertThat(request).as("a body omitted but for HEAD").contains("HEAD");
            }
            if (response.status() >= 400 && !isReadiness(response)) {
                assertThat(response.header("content-type")).isEqualTo("application/json");
                if (!response.bodyOmitted()) {
                    JsonNode body = json(response.body());
                    assertThat(body.size()).as("fields of %s", response.body()).isEqualTo(2);
                    assertThat(body.path("error_code").isTextual()).as("error_code of %s", response.body()).isTrue();
                    assertThat(body.path("error_message").isTextual()).as("error_message of %s", response.body())
                            .isTrue();
                }
                if (expectation && (response.status() == 413 || response.status() == 417)
                        && response.header("connection") == null) {
                    continue; // a refused Expect header: the body was not read, so the connection can go on
                }
                assertThat(response.header("connection")).as("Connection of a %s", response.status()).isEqualTo("close");
                assertThat(last).as("a response after a %s refusal", response.status()).isTrue();
                assertThat(open).as("connection open after a %s refusal", response.status()).isFalse();
            }
        }
    }

    private static void checkUpgrade(ViewerWire wire, ViewerPortWorld world, byte[] sent) {
        // A closed channel has no handlers left to look at.
        assertThat(world.upgraded() || !world.viewer.isOpen()).as("the pipeline after a 101").isTrue();
        Response upgrade = wire.responses().get(wire.responses().size() - 1);
        assertThat(upgrade.header("upgrade")).isEqualToIgnoringCase("websocket");
        assertThat(upgrade.header("sec-websocket-accept")).isNotEmpty();
        assertThat(wire.frames()).as("frames after the 101").isNotEmpty();
        assertThat(wire.frames().get(0).message()).as("the first frame").isInstanceOf(ConnectionEstablished.class);
        ConnectionEstablished hello = (ConnectionEstablished) wire.frames().get(0).message();
        assertThat(hello.viewerId()).isEqualTo(ViewerPortWorld.SUBJECT);
        assertThat(hello.streamId()).as("the stream joined").isIn(ViewerPortWorld.JOINABLE);
        String request = new String(sent, StandardCharsets.ISO_8859_1);
        String decoded = percentDecoded(request);
        assertThat(Tokens.admitting(hello.streamId())).as("tokens admitting %s sent", hello.streamId())
                .anyMatch(token -> request.contains(token) || decoded.contains(token));
        if (world.viewer.isOpen()) {
            assertThat(world.audience()).as("viewers of an open upgraded connection").isEqualTo(1);
            assertThat(world.limiter.open()).as("slots of an open upgraded connection").isEqualTo(1);
        }
    }

    /** The query may carry the token percent-encoded, in part or whole; bad escapes are left as they are. */
    private static String percentDecoded(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '%' && i + 2 < text.length() && HexFormat.isHexDigit(text.charAt(i + 1))
                    && HexFormat.isHexDigit(text.charAt(i + 2))) {
                out.append((char) HexFormat.fromHexDigits(text, i + 1, i + 3));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code /ready} answers 503 with its own body while the server is not ready; this world always is. */
    private static boolean isReadiness(Response response) {
        return response.body().startsWith("{\"status\":");
    }

    private static void drainInto(EmbeddedChannel channel, ByteBuf wire) {
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            try {
                // Written by Netty's WebSocket handler into a connection that was never upgraded; a socket
                // channel would refuse it, as it only writes buffers, so it never reaches the wire.
                if (msg instanceof CloseWebSocketFrame) {
                    continue;
                }
                assertThat(msg).as("outbound message").isInstanceOf(ByteBuf.class);
                wire.writeBytes((ByteBuf) msg);
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static ListAppender<ILoggingEvent> captureLogs() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
                    super.append(event);
                }
            }
        };
        appender.start();
        ((Logger) LoggerFactory.getLogger("io.nova")).addAppender(appender);
        return appender;
    }
}
