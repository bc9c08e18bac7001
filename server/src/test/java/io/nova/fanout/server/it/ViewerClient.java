package io.nova.fanout.server.it;

import com.fasterxml.jackson.databind.JsonNode;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.ProtocolCodec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A real viewer over the JDK's {@link WebSocket}. It records every message (parts of a text message are
 * assembled first), the close code and reason, and controls its read demand: while {@linkplain #pause()
 * paused} it requests nothing, so the JDK client stops reading the socket and TCP backpressure reaches
 * the server. Also usable for the ingest socket, with {@link Options#unchecked()}.
 */
final class ViewerClient implements AutoCloseable {
    static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ScheduledExecutorService TIMERS = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "viewer-client-timer");
        t.setDaemon(true);
        return t;
    });
    private static final ProtocolCodec CODEC = new ProtocolCodec();

    /** How the client answers the server's application-level {@code ping} events. */
    enum PongMode {
        /** Never answers. */
        NONE,
        /** Answers each ping with a pong echoing its {@code sequence}. */
        ECHO,
        /** Like seed 003's example client: a pong without sequence on its own timer. */
        SEED_TIMER
    }

    /**
     * One message from the server; {@code seq} is -1 when the envelope has none. {@code data} and {@code raw}
     * are {@code null} for stream events of a {@linkplain Options#lightweight() lightweight} client.
     */
    record Received(int index, String event, long seq, JsonNode data, String raw, long receivedNanos) {
        boolean hasSeq() {
            return seq >= 0;
        }

        @Override
        public String toString() {
            return "#" + index + " " + event + (hasSeq() ? " seq=" + seq : "") + (raw != null ? " " + Json.abbreviate(raw) : "");
        }
    }

    /** How the connection ended; code 1006 with an error when it ended without a close frame. */
    record Closed(int code, String reason, Throwable error) {
    }

    /** Connection options; the defaults suit most tests. */
    static final class Options {
        final Map<String, String> headers = new LinkedHashMap<>();
        PongMode pongMode = PongMode.NONE;
        Duration seedPongPeriod = Duration.ofSeconds(30);
        boolean keepStreamEventData = true;
        boolean validate = true;
        Predicate<Received> pauseAfter = m -> false;
        HttpClient http = HTTP;

        Options header(String name, String value) {
            headers.put(name, value);
            return this;
        }

        Options pongMode(PongMode mode) {
            pongMode = mode;
            return this;
        }

        /** Sends seed 003's pong without sequence every {@code period}. */
        Options seedPongs(Duration period) {
            pongMode = PongMode.SEED_TIMER;
            seedPongPeriod = period;
            return this;
        }

        /** Keeps only event name and seq of stream events (not their data nor raw text), to spare heap. */
        Options lightweight() {
            keepStreamEventData = false;
            validate = false;
            return this;
        }

        /** For peers that do not speak the viewer protocol (the ingest socket): no protocol checks. */
        Options unchecked() {
            validate = false;
            return this;
        }

        /** Connects through {@code client}, e.g. one whose SSL context trusts a test certificate, for wss://. */
        Options httpClient(HttpClient client) {
            http = client;
            return this;
        }

        /** Stops reading right after the first message matching {@code condition}. */
        Options pauseAfter(Predicate<Received> condition) {
            pauseAfter = condition;
            return this;
        }
    }

    private final Options options;
    private final LinkedBlockingQueue<Received> inbox = new LinkedBlockingQueue<>();
    private final List<Received> history = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final AtomicInteger protocolPongs = new AtomicInteger();
    private final Object demandLock = new Object();
    private final Object sendLock = new Object();
    private CompletableFuture<?> lastSend = CompletableFuture.completedFuture(null);
    private volatile WebSocket socket;
    private volatile long lastSeq = -1;
    private volatile ScheduledFuture<?> seedPongs;
    private boolean paused;
    private boolean demandOwed;

    private ViewerClient(Options options) {
        this.options = options;
    }

    static ViewerClient connect(URI uri) {
        return connect(uri, new Options());
    }

    /** Connects and waits for the upgrade; a refused upgrade throws {@link HandshakeRefused}. */
    static ViewerClient connect(URI uri, Options options) {
        try {
            return connectAsync(uri, options).get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw unwrap(uri, e.getCause());
        } catch (TimeoutException e) {
            throw new AssertionError("no upgrade from " + uri + " within " + CONNECT_TIMEOUT, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static CompletableFuture<ViewerClient> connectAsync(URI uri, Options options) {
        ViewerClient client = new ViewerClient(options);
        WebSocket.Builder builder = options.http.newWebSocketBuilder().connectTimeout(CONNECT_TIMEOUT);
        options.headers.forEach(builder::header);
        return builder.buildAsync(uri, client.new Listener()).thenApply(ws -> {
            client.socket = ws;
            client.startSeedPongs();
            return client;
        });
    }

    /** The HTTP status of a refused upgrade; fails if the upgrade succeeds. */
    static int refusedStatus(URI uri, Options options) {
        ViewerClient unexpected;
        try {
            unexpected = connect(uri, options);
        } catch (HandshakeRefused refused) {
            return refused.status;
        }
        unexpected.abort();
        throw new AssertionError("upgrade to " + uri + " unexpectedly succeeded");
    }

    /** The server answered the upgrade request with something other than 101. */
    static final class HandshakeRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        HandshakeRefused(int status, Throwable cause) {
            super("upgrade refused with HTTP " + status, cause);
            this.status = status;
        }
    }

    private static RuntimeException unwrap(URI uri, Throwable cause) {
        Throwable c = cause instanceof CompletionException && cause.getCause() != null ? cause.getCause() : cause;
        if (c instanceof WebSocketHandshakeException refused) {
            return new HandshakeRefused(refused.getResponse().statusCode(), refused);
        }
        return new IllegalStateException("could not connect to " + uri, c);
    }

    // ---- reading ----

    /** The next message, whatever it is. */
    Received next(Duration timeout) {
        return await(m -> true, "message", timeout);
    }

    /** Consumes messages until one named {@code event} arrives; the skipped ones stay in the history. */
    Received awaitEvent(String event, Duration timeout) {
        return await(m -> m.event().equals(event), "event " + event, timeout);
    }

    /** Consumes messages until one matches. */
    Received await(Predicate<Received> condition, String description, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Received message = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
                if (message == null) {
                    throw new AssertionError("no " + description + " within " + timeout + "; closed: "
                            + closed.getNow(null) + "; history: " + tail());
                }
                if (condition.test(message)) {
                    return message;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until a stream event with a {@code seq} of at least {@code seq} has arrived. */
    void awaitSeq(long seq, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (lastSeq < seq) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("seq " + seq + " not reached within " + timeout + " (last seq " + lastSeq
                        + ", closed: " + closed.getNow(null) + "); history: " + tail());
            }
            sleep(2);
        }
    }

    /** The highest {@code seq} received so far, or -1. */
    long lastSeq() {
        return lastSeq;
    }

    /** Every message received so far, in order. */
    List<Received> history() {
        synchronized (history) {
            return new ArrayList<>(history);
        }
    }

    /** Every message named {@code event}, in order. */
    List<Received> history(String event) {
        return history().stream().filter(m -> m.event().equals(event)).toList();
    }

    /** Frames that {@link ProtocolCodec#decodeServerMessage} refused, with the reason. */
    List<String> protocolViolations() {
        synchronized (history) {
            return new ArrayList<>(violations);
        }
    }

    /** How many protocol-level pong frames arrived. */
    int protocolPongs() {
        return protocolPongs.get();
    }

    Closed awaitClose(Duration timeout) {
        try {
            return closed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("not closed within " + timeout + "; history: " + tail());
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** The close, if it has happened. */
    Closed closedNow() {
        return closed.getNow(null);
    }

    boolean isOpen() {
        return !closed.isDone();
    }

    // ---- flow control ----

    /** Stops requesting messages; at most the one already requested is still delivered. */
    void pause() {
        synchronized (demandLock) {
            paused = true;
        }
    }

    void resume() {
        boolean request;
        synchronized (demandLock) {
            paused = false;
            request = demandOwed;
            demandOwed = false;
        }
        if (request) {
            socket.request(1);
        }
    }

    private void demandNext(WebSocket ws) {
        synchronized (demandLock) {
            if (paused) {
                demandOwed = true;
                return;
            }
        }
        ws.request(1);
    }

    // ---- sending ----

    /** Sends a text message after any earlier send has completed. */
    CompletableFuture<?> send(String text) {
        return enqueue(ws -> ws.sendText(text, true));
    }

    CompletableFuture<?> sendBinary(byte[] bytes) {
        return enqueue(ws -> ws.sendBinary(ByteBuffer.wrap(bytes), true));
    }

    /** A protocol-level (RFC 6455) ping frame. */
    CompletableFuture<?> sendPing(byte[] payload) {
        return enqueue(ws -> ws.sendPing(ByteBuffer.wrap(payload)));
    }

    private CompletableFuture<?> enqueue(Function<WebSocket, CompletableFuture<WebSocket>> action) {
        synchronized (sendLock) {
            CompletableFuture<?> next = lastSend.handle((r, e) -> null).thenCompose(ignored -> action.apply(socket));
            lastSend = next;
            return next;
        }
    }

    /** Starts a close handshake with 1000 and returns without waiting for it. */
    void closeAsync() {
        stopSeedPongs();
        if (socket != null && !socket.isOutputClosed()) {
            enqueue(ws -> ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye"));
        }
    }

    /** Closes normally, waiting briefly for the server's answer, then drops the connection. */
    @Override
    public void close() {
        closeAsync();
        try {
            closed.get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Dropped below either way.
        }
        abort();
    }

    /** Drops the TCP connection without a close handshake. */
    void abort() {
        stopSeedPongs();
        if (socket != null) {
            socket.abort();
        }
    }

    private void startSeedPongs() {
        if (options.pongMode == PongMode.SEED_TIMER) {
            long period = options.seedPongPeriod.toMillis();
            seedPongs = TIMERS.scheduleAtFixedRate(() -> {
                if (isOpen()) {
                    send("{\"event\":\"pong\",\"data\":{\"timestamp\":\"" + Instant.now() + "\"}}");
                }
            }, period, period, TimeUnit.MILLISECONDS);
        }
    }

    private void stopSeedPongs() {
        ScheduledFuture<?> timer = seedPongs;
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private void onMessage(String text) {
        JsonNode root;
        try {
            root = Json.parse(text);
        } catch (RuntimeException e) {
            synchronized (history) {
                violations.add("not JSON: " + Json.abbreviate(text));
            }
            return;
        }
        String event = root.path("event").asText("?").intern();
        JsonNode seqNode = root.get("seq");
        long seq = seqNode == null ? -1 : seqNode.asLong();
        boolean keep = options.keepStreamEventData || seq < 0;
        if (options.validate) {
            DecodeResult<?> decoded = CODEC.decodeServerMessage(text.getBytes(StandardCharsets.UTF_8));
            if (decoded instanceof DecodeResult.Invalid<?> invalid) {
                synchronized (history) {
                    violations.add(invalid.reason() + " in " + Json.abbreviate(text));
                }
            }
        }
        if ("ping".equals(event) && options.pongMode == PongMode.ECHO) {
            long sequence = root.path("data").path("sequence").asLong();
            send("{\"event\":\"pong\",\"data\":{\"sequence\":" + sequence + ",\"timestamp\":\"" + Instant.now() + "\"}}");
        }
        Received message;
        synchronized (history) {
            message = new Received(history.size(), event, seq, keep ? root.get("data") : null, keep ? text : null,
                    System.nanoTime());
            history.add(message);
        }
        if (seq > lastSeq) {
            lastSeq = seq;
        }
        inbox.add(message);
        if (options.pauseAfter.test(message)) {
            pause();
        }
    }

    private String tail() {
        List<Received> all = history();
        return all.subList(Math.max(0, all.size() - 10), all.size()).toString();
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Called by the JDK client, one call at a time. */
    private final class Listener implements WebSocket.Listener {
        private final StringBuilder parts = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                String text = parts.toString();
                parts.setLength(0);
                onMessage(text);
            }
            demandNext(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            synchronized (history) {
                violations.add("unexpected binary frame of " + data.remaining() + " bytes");
            }
            demandNext(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPong(WebSocket webSocket, ByteBuffer message) {
            protocolPongs.incrementAndGet();
            demandNext(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onPing(WebSocket webSocket, ByteBuffer message) {
            demandNext(webSocket);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            stopSeedPongs();
            closed.complete(new Closed(statusCode, reason, null));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            stopSeedPongs();
            closed.complete(new Closed(1006, "", error));
        }
    }
}
