package io.nova.fanout.server.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nova.fanout.protocol.ClientMessage;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.EventNames;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.ServerMessage;
import io.nova.fanout.server.NovaServer;
import io.nova.fanout.server.ServerConfig;
import io.nova.fanout.server.auth.TokenMinter;
import io.nova.fanout.server.testing.RepositoryRoot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * Keeps the examples in {@code docs/*.md} honest. A fenced code block preceded by
 * {@code <!-- example: KIND -->} is checked according to its kind:
 *
 * <ul>
 *   <li>{@code server-message}: decodes with {@link ProtocolCodec#decodeServerMessage} and re-encodes to the
 *       same JSON; carries {@code seq} exactly when it is a stream event.
 *   <li>{@code client-message}: passes the strict {@link ProtocolCodec#decodeClientMessage}, the decoder the
 *       server applies to every viewer frame.
 *   <li>{@code request METHOD PATH}: sent to a real server (register, start, events, end, in that order) and
 *       answered with 2xx.
 *   <li>{@code ingest-message}: sent over the ingest WebSocket of that server and acknowledged with
 *       {@code "success": true}.
 * </ul>
 */
class DocsExamplesTest {

    static final String SERVER_MESSAGE = "server-message";
    static final String CLIENT_MESSAGE = "client-message";
    static final String INGEST_MESSAGE = "ingest-message";
    static final String REGISTER = "request PUT /internal/v1/streams/{id}";
    static final String EVENTS = "request POST /internal/v1/streams/{id}/events";
    static final String END = "request POST /internal/v1/streams/{id}/end";

    /** Fewer examples than this means the docs or the extraction broke; the test must not pass on nothing. */
    private static final Map<String, Integer> MINIMUM_PER_KIND = Map.of(
            SERVER_MESSAGE, 10,
            CLIENT_MESSAGE, 3,
            REGISTER, 1,
            EVENTS, 2,
            END, 1,
            INGEST_MESSAGE, 1);

    private static final Set<String> STREAM_EVENTS = Set.of(EventNames.STREAM_STARTED, EventNames.STREAM_ENDED,
            EventNames.VIEWER_COUNT_CHANGED, EventNames.QUALITY_CHANGED, EventNames.BITRATE_UPDATE, EventNames.ERROR);

    /** The server's own error notices to one connection, each documented with an example. */
    private static final Set<ErrorCode> CONNECTION_NOTICES = Set.of(ErrorCode.MESSAGES_DROPPED,
            ErrorCode.SERVER_SHUTDOWN, ErrorCode.TOKEN_EXPIRED, ErrorCode.INVALID_TOKEN);

    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*example:\\s*(.+?)\\s*-->\\s*$");
    private static final String FENCE = "```";
    private static final byte[] SECRET = "docs-examples-test-secret-0123456789abcdef".getBytes(UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ProtocolCodec CODEC = new ProtocolCodec();

    private static List<Example> examples;
    private static NovaServer server;
    private static HttpClient http;
    private static String token;

    /** One marked code block; {@code where} is {@code file:line} of its marker, for failure messages. */
    record Example(String where, String kind, String body) {
        @Override
        public String toString() {
            return where + " (" + kind + ")";
        }
    }

    @BeforeAll
    static void startServer() throws Exception {
        examples = extractExamples(RepositoryRoot.find());
        server = NovaServer.start(ServerConfig.builder()
                .host("127.0.0.1").port(0)
                .internalHost("127.0.0.1").internalPort(0)
                .jwtSecret(SECRET)
                .build());
        http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        token = new TokenMinter(SECRET, Clock.systemUTC()).broadcasterToken("docs", Duration.ofMinutes(5));
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void everyKindHasEnoughExamples() {
        Map<String, Long> counts = examples.stream()
                .collect(Collectors.groupingBy(Example::kind, Collectors.counting()));
        MINIMUM_PER_KIND.forEach((kind, minimum) -> assertThat(counts.getOrDefault(kind, 0L))
                .as("examples marked <!-- example: %s --> (found %s)", kind, counts)
                .isGreaterThanOrEqualTo(minimum.longValue()));
    }

    @Test
    void everyServerEventAndEveryClientMessageHasAnExample() {
        assertThat(eventNames(SERVER_MESSAGE)).containsExactlyInAnyOrder(
                EventNames.CONNECTION_ESTABLISHED, EventNames.STREAM_STARTED, EventNames.STREAM_ENDED,
                EventNames.VIEWER_COUNT_CHANGED, EventNames.QUALITY_CHANGED, EventNames.BITRATE_UPDATE,
                EventNames.ERROR, EventNames.PING, EventNames.STREAM_INFO, EventNames.TOKEN_REFRESHED);
        assertThat(eventNames(CLIENT_MESSAGE)).containsExactlyInAnyOrder(
                EventNames.PONG, EventNames.GET_STREAM_INFO, EventNames.REPORT_ISSUE, EventNames.REFRESH_TOKEN);
        for (ErrorCode notice : CONNECTION_NOTICES) {
            assertThat(ofKind(SERVER_MESSAGE))
                    .as("the %s notice is documented with an example", notice)
                    .anySatisfy(example -> assertThat(example.body()).contains(notice.wireName()));
        }
    }

    @TestFactory
    Stream<DynamicTest> serverMessagesDecodeAndReEncodeToTheSameJson() {
        return ofKind(SERVER_MESSAGE).stream().map(example -> DynamicTest.dynamicTest(example.toString(), () -> {
            DecodeResult<ServerMessage> result = CODEC.decodeServerMessage(example.body().getBytes(UTF_8));
            assertThat(result).as("%s decodes", example).isInstanceOf(DecodeResult.Decoded.class);
            DecodeResult.Decoded<ServerMessage> decoded = (DecodeResult.Decoded<ServerMessage>) result;
            ServerMessage message = decoded.message();

            byte[] reEncoded = decoded.seq().isPresent()
                    ? CODEC.encode(message, decoded.seq().getAsLong())
                    : CODEC.encode(message);
            assertThat(JSON.readTree(reEncoded))
                    .as("%s re-encodes to the same JSON: every field the server writes, nothing more", example)
                    .isEqualTo(JSON.readTree(example.body()));

            // The server's own notices concern one connection, not the stream: they carry no seq.
            boolean connectionNotice = message instanceof ErrorEvent error && CONNECTION_NOTICES.contains(error.errorCode());
            boolean streamEvent = STREAM_EVENTS.contains(message.eventName()) && !connectionNotice;
            assertThat(decoded.seq().isPresent())
                    .as("%s: %s carries \"seq\" exactly when it is a stream event", example, message.eventName())
                    .isEqualTo(streamEvent);
        }));
    }

    @TestFactory
    Stream<DynamicTest> clientMessagesPassTheServersDecoder() {
        return ofKind(CLIENT_MESSAGE).stream().map(example -> DynamicTest.dynamicTest(example.toString(), () -> {
            DecodeResult<ClientMessage> result = CODEC.decodeClientMessage(example.body().getBytes(UTF_8));
            if (result instanceof DecodeResult.Invalid<ClientMessage> invalid) {
                fail("%s is refused by the server's decoder: %s", example, invalid.reason());
            }
            assertThat(result).isInstanceOf(DecodeResult.Decoded.class);
        }));
    }

    @Test
    void broadcasterRequestsSucceedAgainstARealServer() throws Exception {
        String streamId = "docs-http-1";
        for (Example register : ofKind(REGISTER)) {
            send(register, "PUT", streamId, "");
        }
        start(streamId);
        for (Example events : ofKind(EVENTS)) {
            send(events, "POST", streamId, "/events");
        }
        List<Example> ends = ofKind(END);
        for (int i = 0; i < ends.size(); i++) {
            // A stream ends once; every further end example gets a fresh live stream.
            String target = i == 0 ? streamId : "docs-http-end-" + i;
            if (i > 0) {
                send(ofKind(REGISTER).get(0), "PUT", target, "");
                start(target);
            }
            send(ends.get(i), "POST", target, "/end");
        }
        JsonNode ended = JSON.readTree(request("GET", streamId, "", null).body());
        assertThat(ended.path("status").asText()).isEqualTo("ended");
    }

    @Test
    void ingestMessagesAreAcknowledgedWithSuccess() throws Exception {
        List<Example> messages = ofKind(INGEST_MESSAGE);
        Set<String> streamIds = new LinkedHashSet<>();
        for (Example message : messages) {
            JsonNode node = JSON.readTree(message.body());
            assertThat(node.path("stream_id").isTextual()).as("%s names its stream_id", message).isTrue();
            streamIds.add(node.path("stream_id").asText());
        }
        Example register = ofKind(REGISTER).get(0);
        for (String streamId : streamIds) {
            send(register, "PUT", streamId, "");
            start(streamId);
        }

        BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        WebSocket socket = http.newWebSocketBuilder()
                .header("Authorization", "Bearer " + token)
                .connectTimeout(TIMEOUT)
                .buildAsync(URI.create("ws://127.0.0.1:" + server.internalPort() + "/internal/v1/ingest"),
                        new TextCollector(answers))
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        try {
            for (Example message : messages) {
                socket.sendText(message.body(), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                String answer = answers.poll(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                assertThat(answer).as("answer to %s", message).isNotNull();
                JsonNode ack = JSON.readTree(answer);
                assertThat(ack.path("success").asBoolean(false))
                        .as("%s is acknowledged with success, got %s", message, answer)
                        .isTrue();
                assertThat(ack.path("seq").asLong(0)).as("seq in %s", answer).isPositive();
            }
        } finally {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
    }

    private static void start(String streamId) throws IOException, InterruptedException {
        HttpResponse<String> response = request("POST", streamId, "/start", null);
        assertThat(response.statusCode()).as("POST /internal/v1/streams/%s/start: %s", streamId, response.body())
                .isEqualTo(200);
    }

    private static void send(Example example, String method, String streamId, String action)
            throws IOException, InterruptedException {
        HttpResponse<String> response = request(method, streamId, action, example.body());
        assertThat(response.statusCode())
                .as("%s sent as %s /internal/v1/streams/%s%s answered %s", example, method, streamId, action,
                        response.body())
                .isBetween(200, 299);
    }

    private static HttpResponse<String> request(String method, String streamId, String action, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + server.internalPort() + "/internal/v1/streams/" + streamId + action))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, UTF_8))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString(UTF_8));
    }

    private static List<Example> ofKind(String kind) {
        return examples.stream().filter(example -> example.kind().equals(kind)).toList();
    }

    private static List<String> eventNames(String kind) {
        return ofKind(kind).stream().map(example -> {
            try {
                return JSON.readTree(example.body()).path("event").asText();
            } catch (IOException e) {
                throw new AssertionError(example + " is not JSON", e);
            }
        }).distinct().toList();
    }


    /** Every marked block of {@code docs/*.md} and {@code README.md}; a malformed marker fails the whole class. */
    static List<Example> extractExamples(Path root) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> docs = Files.list(root.resolve("docs"))) {
            docs.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
        }
        if (Files.isRegularFile(root.resolve("README.md"))) {
            files.add(root.resolve("README.md"));
        }
        List<Example> found = new ArrayList<>();
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file, UTF_8);
            for (int i = 0; i < lines.size(); i++) {
                Matcher marker = MARKER.matcher(lines.get(i));
                if (!marker.matches()) {
                    continue;
                }
                String where = root.relativize(file) + ":" + (i + 1);
                String kind = marker.group(1);
                if (!MINIMUM_PER_KIND.containsKey(kind)) {
                    throw new AssertionError(where + ": unknown example kind '" + kind + "' (known: "
                            + MINIMUM_PER_KIND.keySet() + ")");
                }
                if (i + 1 >= lines.size() || !lines.get(i + 1).startsWith(FENCE)) {
                    throw new AssertionError(where + ": the line after an example marker must open a code block");
                }
                StringBuilder body = new StringBuilder();
                int j = i + 2;
                for (; j < lines.size() && !lines.get(j).startsWith(FENCE); j++) {
                    body.append(lines.get(j)).append('\n');
                }
                if (j == lines.size()) {
                    throw new AssertionError(where + ": the example's code block is never closed");
                }
                found.add(new Example(where, kind, body.toString().strip()));
                i = j;
            }
        }
        return found;
    }

    /** Collects whole text messages; answers may arrive in several parts. */
    private static final class TextCollector implements WebSocket.Listener {
        private final BlockingQueue<String> messages;
        private final StringBuilder partial = new StringBuilder();

        TextCollector(BlockingQueue<String> messages) {
            this.messages = messages;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                messages.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
