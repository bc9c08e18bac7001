package io.nova.fanout.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.DefaultEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.EventExecutor;
import io.nova.fanout.protocol.EventNames;
import io.nova.fanout.protocol.ProtocolCodec;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import io.nova.fanout.server.auth.JwksKeys;
import io.nova.fanout.server.auth.TestJwks;
import io.nova.fanout.server.auth.TokenMinter;
import io.nova.fanout.server.testing.JwksFixture;
import java.util.concurrent.atomic.AtomicReference;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.StreamEventBus;
import io.nova.fanout.server.fanout.StreamFrame;
import io.nova.fanout.server.stream.StreamRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BroadcasterApiHandlerTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef-test".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.parse("2025-10-21T10:30:45.123Z");
    private static final int MAX_FRAME_BYTES = 1024;
    private static final String STREAMS = "/internal/v1/streams";
    private static final String METADATA = "{\"broadcaster_id\":\"user-123\",\"broadcaster_name\":\"Streamer123\","
            + "\"title\":\"Live Gaming Session\",\"description\":\"Playing\",\"quality\":\"1080p\",\"fps\":60,"
            + "\"bitrate_kbps\":5000}";

    private final ObjectMapper mapper = BroadcasterApiContext.newObjectMapper();
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
    private final TokenMinter minter = new TokenMinter(SECRET, clock);
    private final List<String> published = Collections.synchronizedList(new ArrayList<>());
    private final List<FullHttpRequest> sent = new ArrayList<>();
    private DefaultEventLoopGroup group;
    private StreamRegistry registry;
    private EmbeddedChannel channel;
    private String token;

    @BeforeEach
    void setUp() {
        group = new DefaultEventLoopGroup(2);
        StreamEventBus bus = (StreamFrame event) -> {
            try {
                published.add(event.seq() + ":" + event.frame().toString(StandardCharsets.UTF_8));
            } finally {
                event.frame().release();
            }
        };
        registry = new StreamRegistry(group, new FramePreEncoder(new ProtocolCodec(), UnpooledByteBufAllocator.DEFAULT),
                bus, clock, MAX_FRAME_BYTES, Duration.ofHours(1), 0, Duration.ofMinutes(5));
        BroadcasterApiContext context = new BroadcasterApiContext(new TokenVerifier(SECRET, clock), mapper, clock,
                () -> "nova_up 1\n", () -> mapper.createObjectNode().put("readiness", "ready"), MAX_FRAME_BYTES);
        channel = new EmbeddedChannel(new BroadcasterApiHandler(registry, context));
        token = minter.broadcasterToken("broadcaster-1", Duration.ofMinutes(5));
    }

    @AfterEach
    void tearDown() throws Exception {
        try {
            assertThat(channel.finishAndReleaseAll()).as("no unread responses").isFalse();
            assertThat(sent).as("every request released by the handler")
                    .allSatisfy(request -> assertThat(request.refCnt()).isZero());
        } finally {
            registry.close();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync();
        }
    }

    record Response(HttpResponseStatus status, HttpHeaders headers, String text, JsonNode json) {
        String errorCode() {
            return json.path("error_code").asText();
        }

        String errorMessage() {
            return json.path("error_message").asText();
        }
    }

    private Response send(HttpMethod method, String uri, String bearer, String body) throws Exception {
        // Never Unpooled.EMPTY_BUFFER: its refCnt cannot show whether the handler released the request.
        ByteBuf content = body == null ? Unpooled.buffer(0) : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content);
        if (bearer != null) {
            request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        }
        request.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return send(request);
    }

    private Response send(FullHttpRequest request) throws Exception {
        sent.add(request);
        channel.writeInbound(request);
        FullHttpResponse response = awaitResponse();
        try {
            String text = response.content().toString(StandardCharsets.UTF_8);
            JsonNode json = text.startsWith("{") ? mapper.readTree(text) : null;
            return new Response(response.status(), response.headers(), text, json);
        } finally {
            response.release();
        }
    }

    /**
     * The handler answers from a task that the registry's event loop hands to the channel's loop. The
     * embedded loop's task queue is not thread-safe, so first let the registry's loops go idle (their work
     * for this request is then done), and only then run the channel's pending tasks.
     */
    private FullHttpResponse awaitResponse() throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (true) {
            for (EventExecutor loop : group) {
                assertThat(loop.submit(() -> { }).await(2, TimeUnit.SECONDS)).isTrue();
            }
            channel.runPendingTasks();
            FullHttpResponse response = channel.readOutbound();
            if (response != null) {
                assertThat((Object) channel.readOutbound()).as("exactly one response").isNull();
                return response;
            }
            assertThat(System.nanoTime()).as("a response within 2 s").isLessThan(deadline);
        }
    }

    private Response get(String uri) throws Exception {
        return send(HttpMethod.GET, uri, token, null);
    }

    private Response put(String id, String body) throws Exception {
        return send(HttpMethod.PUT, STREAMS + "/" + id, token, body);
    }

    private Response post(String id, String action, String body) throws Exception {
        return send(HttpMethod.POST, STREAMS + "/" + id + "/" + action, token, body);
    }

    private void registerAndStart(String id) throws Exception {
        assertThat(put(id, METADATA).status()).isEqualTo(HttpResponseStatus.CREATED);
        assertThat(post(id, "start", null).status()).isEqualTo(HttpResponseStatus.OK);
    }

    private String status(String id) {
        return registry.find(id).orElseThrow().state().status().wireName();
    }

    private static String bitrate(int kbps) {
        return "{\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":" + kbps + "}}";
    }

    // --- authentication and authorisation ---------------------------------------------------------

    @Test
    void refusesARequestWithoutAToken() throws Exception {
        Response response = send(HttpMethod.GET, STREAMS, null, null);
        assertThat(response.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
        assertThat(response.errorCode()).isEqualTo("CONNECTION_REJECTED");
        assertThat(response.errorMessage()).isEqualTo("missing, invalid or expired bearer token");
    }

    @Test
    void refusesBadTokens() throws Exception {
        TokenMinter otherSecret = new TokenMinter("ffffffffffffffffffffffffffffffffffffffff".getBytes(
                StandardCharsets.US_ASCII), clock);
        TokenMinter past = new TokenMinter(SECRET, Clock.fixed(NOW.minus(Duration.ofHours(2)), ZoneOffset.UTC));
        for (String bad : List.of("garbage", otherSecret.broadcasterToken("b", Duration.ofMinutes(5)),
                past.broadcasterToken("b", Duration.ofMinutes(5)))) {
            Response response = send(HttpMethod.PUT, STREAMS + "/s1", bad, METADATA);
            assertThat(response.status()).as(bad).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
            assertThat(response.errorCode()).isEqualTo("CONNECTION_REJECTED");
        }
        assertThat(registry.find("s1")).isEmpty();
    }

    @Test
    void acceptsOnlyTheBearerScheme() throws Exception {
        FullHttpRequest basic = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, STREAMS);
        basic.headers().set(HttpHeaderNames.AUTHORIZATION, "Basic " + token);
        assertThat(send(basic).status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);

        FullHttpRequest lowerCase = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, STREAMS);
        lowerCase.headers().set(HttpHeaderNames.AUTHORIZATION, "bearer " + token);
        assertThat(send(lowerCase).status()).isEqualTo(HttpResponseStatus.OK);
    }

    @Test
    void refusesAViewerToken() throws Exception {
        Response response = send(HttpMethod.PUT, STREAMS + "/s1", minter.viewerToken("viewer-1", Duration.ofMinutes(5)),
                METADATA);
        assertThat(response.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(response.errorCode()).isEqualTo("UNAUTHORIZED");
        assertThat(response.errorMessage()).contains("broadcaster");
        assertThat(registry.find("s1")).isEmpty();
    }

    @Test
    void refusesAStreamOutsideTheTokensGrant() throws Exception {
        String limited = minter.broadcasterToken("broadcaster-1", Duration.ofMinutes(5), List.of("s1"));
        assertThat(send(HttpMethod.PUT, STREAMS + "/s1", limited, METADATA).status())
                .isEqualTo(HttpResponseStatus.CREATED);
        put("s2", METADATA);

        Response refused = send(HttpMethod.POST, STREAMS + "/s2/start", limited, null);
        assertThat(refused.status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(refused.errorCode()).isEqualTo("UNAUTHORIZED");
        assertThat(refused.errorMessage()).isEqualTo("token does not grant stream s2");
        assertThat(send(HttpMethod.GET, STREAMS + "/s2", limited, null).status()).isEqualTo(HttpResponseStatus.FORBIDDEN);
        assertThat(status("s2")).isEqualTo("scheduled");

        Response list = send(HttpMethod.GET, STREAMS, limited, null);
        assertThat(list.json().path("streams")).extracting(node -> node.path("stream_id").asText())
                .containsExactly("s1");
    }

    // --- register, read, list ---------------------------------------------------------------------

    @Test
    void putRegistersThenUpdates() throws Exception {
        Response created = put("s1", METADATA);
        assertThat(created.status()).isEqualTo(HttpResponseStatus.CREATED);
        assertThat(created.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo("application/json");
        JsonNode view = created.json();
        assertThat(view.path("stream_id").asText()).isEqualTo("s1");
        assertThat(view.path("status").asText()).isEqualTo("scheduled");
        assertThat(view.path("broadcaster_id").asText()).isEqualTo("user-123");
        assertThat(view.path("broadcaster_name").asText()).isEqualTo("Streamer123");
        assertThat(view.path("title").asText()).isEqualTo("Live Gaming Session");
        assertThat(view.path("quality").asText()).isEqualTo("1080p");
        assertThat(view.path("fps").asInt()).isEqualTo(60);
        assertThat(view.path("bitrate_kbps").asInt()).isEqualTo(5000);
        assertThat(view.path("seq").asLong()).isZero();
        assertThat(view.path("viewer_count").asInt()).isZero();
        assertThat(view.path("created_at").asText()).isEqualTo("2025-10-21T10:30:45.123Z");
        assertThat(view.path("started_at").isNull()).isTrue();

        Response updated = put("s1", METADATA.replace("Live Gaming Session", "Renamed"));
        assertThat(updated.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(updated.json().path("title").asText()).isEqualTo("Renamed");
        assertThat(published).isEmpty();
    }

    @Test
    void getReturnsOneStreamAndTheList() throws Exception {
        put("s1", METADATA);
        put("s2", METADATA);

        Response one = get(STREAMS + "/s1");
        assertThat(one.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(one.json().path("stream_id").asText()).isEqualTo("s1");

        Response list = get(STREAMS);
        assertThat(list.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(list.json().path("streams")).extracting(node -> node.path("stream_id").asText())
                .containsExactlyInAnyOrder("s1", "s2");
        assertThat(get(STREAMS + "/").json().path("streams")).hasSize(2);
    }

    @Test
    void unknownStreamsAreNotFound() throws Exception {
        for (Response response : List.of(get(STREAMS + "/nope"), post("nope", "start", null),
                post("nope", "events", bitrate(100)), post("nope", "end", "{\"reason\":\"error\"}"))) {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
            assertThat(response.errorCode()).isEqualTo("STREAM_NOT_FOUND");
            assertThat(response.errorMessage()).isEqualTo("no stream nope is registered");
        }
    }

    @Test
    void invalidMetadataIsABadRequestWithFieldErrors() throws Exception {
        Response response = put("s1", "{\"broadcaster_id\":\"b\",\"title\":\"t\",\"quality\":\"fullhd\",\"fps\":0}");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(response.errorCode()).isEqualTo("INVALID_REQUEST");
        assertThat(response.json().path("errors")).extracting(e -> e.path("field").asText())
                .containsExactly("quality", "fps", "bitrate_kbps");
        assertThat(response.errorMessage()).startsWith("quality: expected a quality like");
        assertThat(registry.find("s1")).isEmpty();
    }

    @Test
    void malformedStreamIdsAreBadRequests() throws Exception {
        Response response = put("a*b", METADATA);
        assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(response.errorCode()).isEqualTo("INVALID_REQUEST");
        assertThat(get(STREAMS + "/" + "x".repeat(129)).status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
    }

    // --- start, events, end -----------------------------------------------------------------------

    @Test
    void startAnswersWithTheFirstSeqAndCannotBeRepeated() throws Exception {
        put("s1", METADATA);

        Response start = post("s1", "start", null);
        assertThat(start.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(start.json().path("stream_id").asText()).isEqualTo("s1");
        assertThat(start.json().path("first_seq").asLong()).isEqualTo(1);
        assertThat(start.json().path("last_seq").asLong()).isEqualTo(1);
        assertThat(start.json().path("stream").path("status").asText()).isEqualTo("active");
        assertThat(start.json().path("stream").path("started_at").asText()).isEqualTo("2025-10-21T10:30:45.123Z");
        assertThat(published).hasSize(1);
        assertThat(published.get(0)).startsWith("1:").contains(EventNames.STREAM_STARTED);

        Response again = post("s1", "start", null);
        assertThat(again.status()).isEqualTo(HttpResponseStatus.CONFLICT);
        assertThat(again.errorCode()).isEqualTo("INVALID_TRANSITION");
        assertThat(again.errorMessage()).isEqualTo("stream s1 is active; only a scheduled stream can start");
        assertThat(published).hasSize(1);
    }

    @Test
    void eventsAnswerWithTheirSeqRange() throws Exception {
        registerAndStart("s1");

        Response single = post("s1", "events", bitrate(4000));
        assertThat(single.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(single.json().path("first_seq").asLong()).isEqualTo(2);
        assertThat(single.json().path("last_seq").asLong()).isEqualTo(2);
        assertThat(single.json().path("stream").path("current_bitrate_kbps").asInt()).isEqualTo(4000);

        Response batch = post("s1", "events", "[" + bitrate(1) + ","
                + "{\"event\":\"quality_changed\",\"data\":{\"new_quality\":\"720p\",\"new_bitrate_kbps\":3000,"
                + "\"reason\":\"adaptive_bitrate\"}}," + "{\"event\":\"error\",\"data\":{\"error_code\":\"BUFFER_OVERFLOW\","
                + "\"error_message\":\"m\",\"severity\":\"warning\",\"recoverable\":true}}]");
        assertThat(batch.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(batch.json().path("first_seq").asLong()).isEqualTo(3);
        assertThat(batch.json().path("last_seq").asLong()).isEqualTo(5);
        assertThat(batch.json().path("stream").path("quality").asText()).isEqualTo("720p");
        assertThat(batch.json().path("stream").path("seq").asLong()).isEqualTo(5);

        assertThat(published).hasSize(5);
        assertThat(published.get(2)).startsWith("3:").contains(EventNames.BITRATE_UPDATE);
        assertThat(published.get(3)).startsWith("4:").contains(EventNames.QUALITY_CHANGED);
        assertThat(published.get(4)).startsWith("5:").contains(EventNames.ERROR);
    }

    @Test
    void invalidEventsAreBadRequestsAndNothingIsPublished() throws Exception {
        registerAndStart("s1");

        Response response = post("s1", "events", "[" + bitrate(1) + ","
                + "{\"event\":\"quality_changed\",\"data\":{\"new_quality\":\"720p\",\"new_bitrate_kbps\":-5,"
                + "\"reason\":\"adaptive_bitrate\"}}]");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(response.errorCode()).isEqualTo("INVALID_REQUEST");
        assertThat(response.json().path("errors")).hasSize(1);
        JsonNode error = response.json().path("errors").get(0);
        assertThat(error.path("field").asText()).isEqualTo("[1].data.new_bitrate_kbps");
        assertThat(error.path("message").asText()).isEqualTo("expected an integer in 1..1000000");

        Response unknownKey = post("s1", "events", "{\"event\":\"bitrate_update\",\"seq\":9,"
                + "\"data\":{\"current_bitrate_kbps\":1}}");
        assertThat(unknownKey.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(unknownKey.json().path("errors").get(0).path("field").asText()).isEqualTo("seq");

        Response empty = post("s1", "events", "[]");
        assertThat(empty.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(empty.json().path("errors").get(0).path("field").asText()).isEqualTo("body");

        Response noBody = post("s1", "events", null);
        assertThat(noBody.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(noBody.json().path("errors").get(0).path("field").asText()).isEqualTo("event");

        assertThat(published).hasSize(1);
    }

    @Test
    void invalidJsonIsABadRequest() throws Exception {
        String event = "{\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":100}}";
        for (Response response : List.of(put("s1", "{\"broadcaster_id\":"), post("s1", "events", "not json"),
                post("s1", "end", "{]"), post("s1", "events", event + event), post("s1", "end", "{\"reason\":\"error\"}xx"))) {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
            assertThat(response.errorCode()).isEqualTo("INVALID_REQUEST");
            assertThat(response.errorMessage()).isEqualTo("body is not valid JSON");
        }
        assertThat(registry.find("s1")).isEmpty();
    }

    @Test
    void endNeedsAValidReason() throws Exception {
        registerAndStart("s1");

        Response bad = post("s1", "end", "{\"reason\":\"bored\"}");
        assertThat(bad.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(bad.json().path("errors").get(0).path("field").asText()).isEqualTo("reason");
        Response missing = post("s1", "end", null);
        assertThat(missing.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(missing.json().path("errors").get(0).path("message").asText()).isEqualTo("required");

        assertThat(status("s1")).isEqualTo("active");
    }

    @Test
    void endWithAnUnknownFieldIsABadRequest() throws Exception {
        registerAndStart("s1");

        Response response = post("s1", "end", "{\"reason\":\"error\",\"why\":\"x\"}");

        assertThat(status("s1")).as("a refused request changes nothing").isEqualTo("active");
        assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(response.json().path("errors").get(0).path("field").asText()).isEqualTo("why");
    }

    @Test
    void endThenNothingMore() throws Exception {
        registerAndStart("s1");

        Response end = post("s1", "end", "{\"reason\":\"broadcaster_ended\"}");
        assertThat(end.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(end.json().path("first_seq").asLong()).isEqualTo(2);
        assertThat(end.json().path("stream").path("status").asText()).isEqualTo("ended");
        assertThat(end.json().path("stream").path("end_reason").asText()).isEqualTo("broadcaster_ended");
        assertThat(published.get(1)).startsWith("2:").contains(EventNames.STREAM_ENDED);

        for (Response response : List.of(post("s1", "start", null), post("s1", "events", bitrate(1)),
                post("s1", "end", "{\"reason\":\"error\"}"), put("s1", METADATA))) {
            assertThat(response.status()).isEqualTo(HttpResponseStatus.CONFLICT);
            assertThat(response.errorCode()).isEqualTo("INVALID_TRANSITION");
        }
        assertThat(published).hasSize(2);
    }

    @Test
    void anEventLargerThanTheFrameLimitIsTooLarge() throws Exception {
        registerAndStart("s1");

        Response response = post("s1", "events", "{\"event\":\"error\",\"data\":{\"error_code\":\"SERVER_ERROR\","
                + "\"error_message\":\"" + "x".repeat(2000) + "\",\"severity\":\"error\",\"recoverable\":false}}");

        assertThat(response.status()).isEqualTo(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE);
        assertThat(response.errorCode()).isEqualTo("PAYLOAD_TOO_LARGE");
        assertThat(response.errorMessage()).contains("(expected: <= 1024)");
        assertThat(published).hasSize(1);
    }

    // --- routing ----------------------------------------------------------------------------------

    @Test
    void wrongMethodsAreNotAllowed() throws Exception {
        put("s1", METADATA);
        Response delete = send(HttpMethod.DELETE, STREAMS + "/s1", token, null);
        assertThat(delete.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(delete.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, PUT");
        assertThat(delete.errorCode()).isEqualTo("METHOD_NOT_ALLOWED");

        Response getStart = get(STREAMS + "/s1/start");
        assertThat(getStart.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(getStart.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("POST");

        Response postList = send(HttpMethod.POST, STREAMS, token, "{}");
        assertThat(postList.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(postList.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");

        Response postMetrics = send(HttpMethod.POST, "/metrics", null, null);
        assertThat(postMetrics.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(postMetrics.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET");

        assertThat(status("s1")).isEqualTo("scheduled");
    }

    @Test
    void unknownEndpointsAreNotFound() throws Exception {
        for (String uri : List.of("/elsewhere", "/internal/v1/other", STREAMS + "/s1/pause", STREAMS + "/s1/start/now")) {
            Response response = send(HttpMethod.GET, uri, token, null);
            assertThat(response.status()).as(uri).isEqualTo(HttpResponseStatus.NOT_FOUND);
            assertThat(response.errorCode()).as(uri).isEqualTo("NOT_FOUND");
        }
    }

    @Test
    void aPathThatOnlyStartsLikeTheStreamsPathIsNotFound() throws Exception {
        put("s1", METADATA);

        Response response = get("/internal/v1/streamsXs1");

        assertThat(response.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(response.errorCode()).isEqualTo("NOT_FOUND");
    }

    @Test
    void aTrailingSlashIsNotAnotherSpellingOfTheStream() throws Exception {
        put("s1", METADATA);

        Response response = get(STREAMS + "/s1/");

        assertThat(response.status()).isEqualTo(HttpResponseStatus.NOT_FOUND);
        assertThat(response.errorCode()).isEqualTo("NOT_FOUND");
    }

    @Test
    void anIngestRequestThatIsNotAWebSocketUpgradeIsRefusedInJson() throws Exception {
        Response response = get("/internal/v1/ingest");

        assertThat(response.status()).isEqualTo(HttpResponseStatus.BAD_REQUEST);
        assertThat(response.errorCode()).isEqualTo("INVALID_REQUEST");
        assertThat(response.errorMessage()).isEqualTo("not a WebSocket upgrade request");
    }

    @Test
    void queryStringsDoNotChangeTheRoute() throws Exception {
        put("s1", METADATA);
        assertThat(get(STREAMS + "/s1?verbose=1").json().path("stream_id").asText()).isEqualTo("s1");
    }

    @Test
    void servesTheMetricsScrapeWithoutAToken() throws Exception {
        Response response = send(HttpMethod.GET, "/metrics", null, null);
        assertThat(response.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(response.text()).isEqualTo("nova_up 1\n");
        assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).startsWith("text/plain");
    }

    // --- connection handling ----------------------------------------------------------------------

    @Test
    void keepsTheConnectionOpenAndReadingAfterAnAnswer() throws Exception {
        put("s1", METADATA);
        assertThat(channel.isActive()).isTrue();
        assertThat(channel.config().isAutoRead()).as("reading resumes once the answer is written").isTrue();
    }

    @Test
    void closesTheConnectionWhenTheClientAsksTo() throws Exception {
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.PUT, STREAMS + "/s1",
                Unpooled.copiedBuffer(METADATA, StandardCharsets.UTF_8));
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + token);
        request.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);

        Response response = send(request);

        assertThat(response.status()).isEqualTo(HttpResponseStatus.CREATED);
        assertThat(response.headers().get(HttpHeaderNames.CONNECTION)).isEqualToIgnoringCase("close");
        channel.runPendingTasks();
        assertThat(channel.isOpen()).isFalse();
    }

    // --- tokens whose key the server has not read yet ----------------------------------------------

    private static final RSAKey OLD_KEY = JwksFixture.rsaKey("old");
    private static final RSAKey NEW_KEY = JwksFixture.rsaKey("new");

    /** The JWKS's reads, run only when a test says so; and the channel of a handler that trusts both kinds of key. */
    private final EmbeddedChannel keysLoop = new EmbeddedChannel();
    private final AtomicReference<String> jwksDocument = new AtomicReference<>(JwksFixture.jwks(OLD_KEY));

    private String rs256(RSAKey key) {
        return JwksFixture.sign(key, new JWTClaimsSet.Builder().subject("broadcaster-2").claim("role", "broadcaster")
                .expirationTime(java.util.Date.from(NOW.plus(Duration.ofMinutes(5)))).build());
    }

    private FullHttpRequest request(HttpMethod method, String uri, String bearer, String body) {
        ByteBuf content = body == null ? Unpooled.buffer(0) : Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
        FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, content);
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + bearer);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        sent.add(request);
        return request;
    }

    /** Replaces the test's channel with one whose handler also trusts the JWKS, with a new key published and readable. */
    private JwksKeys withJwksAndANewKey() {
        keysLoop.freezeTime();
        JwksKeys jwks = TestJwks.start(jwksDocument::get, Duration.ofMinutes(5), keysLoop.eventLoop());
        BroadcasterApiContext context = new BroadcasterApiContext(new TokenVerifier(SECRET, jwks, null, null, clock),
                mapper, clock, () -> "", mapper::createObjectNode, MAX_FRAME_BYTES);
        assertThat(channel.finishAndReleaseAll()).isFalse();
        channel = new EmbeddedChannel(new BroadcasterApiHandler(registry, context));
        jwksDocument.set(JwksFixture.jwks(OLD_KEY, NEW_KEY));
        keysLoop.advanceTimeBy(30, TimeUnit.SECONDS);
        return jwks;
    }

    private void readTheJwks() {
        keysLoop.runPendingTasks();
    }

    @Test
    void aTokenSignedWithAJustPublishedKeyWaitsForOneReadAndIsServed() throws Exception {
        JwksKeys jwks = withJwksAndANewKey();
        try {
            channel.writeInbound(request(HttpMethod.PUT, STREAMS + "/s1", rs256(NEW_KEY), METADATA));
            channel.runPendingTasks();
            assertThat((Object) channel.readOutbound()).as("no answer before the read").isNull();
            assertThat(registry.find("s1")).isEmpty();

            readTheJwks();
            FullHttpResponse response = awaitResponse();
            assertThat(response.status()).isEqualTo(HttpResponseStatus.CREATED);
            response.release();
            assertThat(TestJwks.reads(jwks)).isEqualTo(2);
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    /** A start pipelined behind the register that waits for keys must not overtake it (and find no stream). */
    @Test
    void requestsBehindOneThatWaitsTakeEffectInTheirOrder() throws Exception {
        JwksKeys jwks = withJwksAndANewKey();
        try {
            channel.writeInbound(request(HttpMethod.PUT, STREAMS + "/s1", rs256(NEW_KEY), METADATA));
            channel.writeInbound(request(HttpMethod.POST, STREAMS + "/s1/start", token, null));
            channel.runPendingTasks();
            assertThat(registry.find("s1")).as("the start waits too").isEmpty();

            readTheJwks();
            List<HttpResponseStatus> statuses = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (statuses.size() < 2) {
                for (EventExecutor loop : group) {
                    assertThat(loop.submit(() -> { }).await(2, TimeUnit.SECONDS)).isTrue();
                }
                channel.runPendingTasks();
                for (FullHttpResponse response; (response = channel.readOutbound()) != null; ) {
                    statuses.add(response.status());
                    response.release();
                }
                assertThat(System.nanoTime()).as("two responses within 5 s").isLessThan(deadline);
            }
            assertThat(statuses).containsExactly(HttpResponseStatus.CREATED, HttpResponseStatus.OK);
            assertThat(status("s1")).isEqualTo("active");
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void anUnknownKidAfterTheReadIs401() throws Exception {
        JwksKeys jwks = withJwksAndANewKey();
        try {
            channel.writeInbound(request(HttpMethod.GET, STREAMS, rs256(JwksFixture.rsaKey("made-up")), null));
            readTheJwks();
            FullHttpResponse response = awaitResponse();
            assertThat(response.status()).isEqualTo(HttpResponseStatus.UNAUTHORIZED);
            response.release();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void aRequestWhoseConnectionClosedWhileItWaitedIsStillReleased() throws Exception {
        JwksKeys jwks = withJwksAndANewKey();
        try {
            FullHttpRequest request = request(HttpMethod.PUT, STREAMS + "/s1", rs256(NEW_KEY), METADATA);
            channel.writeInbound(request);
            channel.close();
            assertThat(request.refCnt()).as("held for its verdict").isEqualTo(1);
            readTheJwks();
            channel.runPendingTasks();
            assertThat(request.refCnt()).isZero();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }

    @Test
    void anIngestUpgradeWaitsWithoutReadingAndGoesAheadOnceTheKeyIsKnown() throws Exception {
        JwksKeys jwks = withJwksAndANewKey();
        try {
            FullHttpRequest upgrade = request(HttpMethod.GET, "/internal/v1/ingest", rs256(NEW_KEY), null);
            upgrade.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade")
                    .set(HttpHeaderNames.SEC_WEBSOCKET_KEY, "dGhlIHNhbXBsZSBub25jZQ==")
                    .set(HttpHeaderNames.SEC_WEBSOCKET_VERSION, "13");
            channel.writeInbound(upgrade);
            assertThat(channel.config().isAutoRead()).isFalse();
            assertThat(channel.pipeline().get("ingest")).isNull();

            readTheJwks();
            channel.runPendingTasks();

            assertThat(channel.config().isAutoRead()).isTrue();
            assertThat(channel.pipeline().get("ingest")).as("the ingest handlers are installed").isNotNull();
            assertThat(channel.pipeline().get(BroadcasterApiHandler.class)).isNull();
            Object passedOn = channel.readInbound();
            assertThat(passedOn).as("the upgrade goes on to the WebSocket handshake").isSameAs(upgrade);
            upgrade.release();
        } finally {
            jwks.close();
            keysLoop.finishAndReleaseAll();
        }
    }
}
