package io.nova.fanout.server.handshake;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import io.nova.fanout.server.handshake.ViewerPortWorld.Tokens;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What a client sends to the viewer port, built from fuzzer data: an upgrade request any part of which may be
 * swapped for a wrong one, maybe followed by more requests, WebSocket frames or junk, cut into chunks that arrive
 * with time passing between them. Choice 0 is always the valid one, and FuzzedDataProvider answers 0 once its
 * data runs out, so the empty input is a valid upgrade to "live" and short inputs stay close to one.
 */
final class FuzzedViewerTraffic {

    sealed interface Step permits Write, Wait {
    }

    record Write(byte[] bytes) implements Step {
    }

    record Wait(long millis) implements Step {
    }

    /**
     * @param sent every byte of every write, in order
     * @param valid nothing but valid choices: one upgrade to "live" the server must accept
     */
    record Traffic(List<Step> steps, byte[] sent, boolean valid, AllowedOrigins origins, int maxConnections) {
    }

    private static final int MAX_REQUESTS = 3;
    private static final String[] JSON = {
        "{\"event\":\"pong\",\"data\":{\"sequence\":1}}",
        "{\"event\":\"get_stream_info\",\"data\":{\"request_id\":\"r1\"}}",
        "{\"event\":\"report_issue\",\"data\":{\"issue_type\":\"lag\",\"severity\":\"low\"}}",
        "{\"event\":\"dance\",\"data\":{}}",
        "{\"event\":\"pong\"",
    };

    private final FuzzedDataProvider data;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean valid = true;

    private FuzzedViewerTraffic(FuzzedDataProvider data) {
        this.data = data;
    }

    static Traffic from(FuzzedDataProvider data) {
        return new FuzzedViewerTraffic(data).build();
    }

    private Traffic build() {
        AllowedOrigins origins = choose(2) == 0 ? AllowedOrigins.of(List.of(AllowedOrigins.ANY))
                : AllowedOrigins.of(List.of("https://player.example.com"));
        int maxConnections = switch (choose(3)) {
            case 0 -> 10;
            case 1 -> 1;
            default -> 0;
        };
        for (int i = 0; i < MAX_REQUESTS; i++) {
            request();
            int then = choose(4);
            if (then == 2) {
                frames();
            } else if (then == 3) {
                out.writeBytes(data.consumeBytes(200));
            }
            if (then != 1) {
                break;
            }
        }
        byte[] sent = out.toByteArray();
        return new Traffic(split(sent), sent, valid, origins, maxConnections);
    }

    private int choose(int options) {
        int choice = data.consumeInt(0, options - 1);
        valid &= choice == 0;
        return choice;
    }

    private void request() {
        String eol = oneOf(choose(3), "\r\n", "\n", "\r");
        text(method() + " " + target() + " " + version() + eol);
        header("Host", eol, oneOf(choose(4), "localhost:8080", null, ""));
        header("Upgrade", eol, oneOf(choose(6), "websocket", null, "WebSocket", "h2c", "websocket, h2c"));
        header("Connection", eol, oneOf(choose(6), "Upgrade", null, "keep-alive, Upgrade", "close", "keep-alive"));
        header("Sec-WebSocket-Key", eol, oneOf(choose(4), HandshakeFixtures.KEY, null, ""));
        header("Sec-WebSocket-Version", eol, oneOf(choose(5), "13", null, "8", "13, 8"));
        header("Origin", eol, oneOf(choose(5), null, "https://player.example.com", "https://evil.example", "null"));
        switch (choose(5)) {
            case 1 -> header("Authorization", eol, "Bearer " + token());
            case 2 -> header("Authorization", eol, "bearer " + token());
            case 3 -> header("Authorization", eol, "Basic dXNlcjpwYXNz");
            case 4 -> header("Authorization", eol, ascii(60));
            default -> { }
        }
        for (int extra = choose(4); extra > 0; extra--) {
            String name = oneOf(data.consumeInt(0, 8), "Content-Length", "Transfer-Encoding", "Expect",
                    "Sec-WebSocket-Extensions", "Sec-WebSocket-Protocol", "If-None-Match", "Upgrade", "Connection");
            String value = switch (data.consumeInt(0, 8)) {
                case 0 -> Integer.toString(data.consumeInt(0, 20_000));
                case 1 -> "chunked";
                case 2 -> "100-continue";
                case 3 -> "x-unknown";
                case 4 -> "permessage-deflate";
                case 5 -> "-1";
                case 6 -> "1, 2";
                case 7 -> data.consumeString(40);
                default -> "v".repeat(data.consumeInt(0, 9_000));
            };
            // An obsolete line folding now and then: a continuation line of the header before.
            header(name, eol, data.consumeBoolean() ? value + eol + " folded" : value);
        }
        text(eol);
        switch (choose(4)) {
            case 1 -> out.writeBytes(data.consumeBytes(data.consumeInt(0, 200)));
            case 2 -> text("5\r\nhello\r\n0\r\n\r\n");
            case 3 -> text("x".repeat(9_000));
            default -> { }
        }
    }

    private String method() {
        return oneOf(choose(8), "GET", "HEAD", "POST", "PUT", "OPTIONS", "get", "GET /");
    }

    private String target() {
        return switch (choose(8)) {
            case 0 -> viewerPath() + query();
            case 1 -> "/health";
            case 2 -> "/ready";
            case 3 -> oneOf(data.consumeInt(0, 3), "/", "/client/nova-viewer.js", "/client/nova-viewer.d.ts")
                    + (data.consumeBoolean() ? "?stream=live&token=" + token() : "");
            case 4 -> "/api/v1/streams" + oneOf(data.consumeInt(0, 6), "", "/", "//ws", "/live", "/live/ws/",
                    "/live/ws/x", "/ws") + query();
            case 5 -> "http://localhost:8080" + viewerPath() + query();
            case 6 -> percentEncodeOneCharacter(viewerPath() + query());
            default -> data.consumeString(100);
        };
    }

    private String viewerPath() {
        String stream = oneOf(choose(9), "live", "soon", "over", "no-such-stream", "", "a/b", "x".repeat(129),
                "l%69ve");
        return "/api/v1/streams/" + stream + "/ws";
    }

    private String query() {
        List<String> parameters = new ArrayList<>();
        switch (choose(6)) {
            case 0 -> parameters.add("token=" + token());
            case 2 -> {
                parameters.add("token=" + token());
                parameters.add("token=" + token());
            }
            case 3 -> parameters.add("token=");
            case 4 -> parameters.add("Token=" + token());
            case 5 -> parameters.add("token=" + percentEncodeOneCharacter(token()));
            default -> { }
        }
        switch (choose(5)) {
            case 1 -> parameters.add("protocol=1.0");
            case 2 -> parameters.add("protocol=2.0");
            case 3 -> parameters.add("protocol=");
            case 4 -> parameters.add("protocol=" + ascii(5));
            default -> { }
        }
        switch (choose(3)) {
            case 1 -> parameters.add(ascii(30));
            case 2 -> parameters.add("&&==&");
            default -> { }
        }
        return parameters.isEmpty() ? "" : "?" + String.join("&", parameters);
    }

    private String token() {
        String any = Tokens.ANY_STREAM;
        return switch (choose(9)) {
            case 0 -> any;
            case 1 -> Tokens.LIVE_ONLY;
            case 2 -> Tokens.OTHER_STREAM;
            case 3 -> Tokens.EXPIRED;
            case 4 -> Tokens.OTHER_SECRET;
            case 5 -> Tokens.UNSIGNED;
            case 6 -> any.substring(0, any.length() - 1);
            case 7 -> {
                int at = data.consumeInt(0, any.length() - 1);
                yield any.substring(0, at) + (any.charAt(at) == 'A' ? 'B' : 'A') + any.substring(at + 1);
            }
            default -> ascii(64);
        };
    }

    private String version() {
        return oneOf(choose(5), "HTTP/1.1", "HTTP/1.0", "HTTP/2.0", "HTTP/1.1x");
    }

    private String percentEncodeOneCharacter(String text) {
        if (text.isEmpty()) {
            return text;
        }
        int at = data.consumeInt(0, text.length() - 1);
        return text.substring(0, at) + String.format("%%%02X", (int) text.charAt(at) & 0xFF) + text.substring(at + 1);
    }

    private void header(String name, String eol, String value) {
        if (value != null) {
            text(name + ": " + value + eol);
        }
    }

    /** Client frames, masked as RFC 6455 requires, unless the fuzzer says otherwise. */
    private void frames() {
        for (int n = data.consumeInt(1, 4); n > 0; n--) {
            int opcode = data.pickValue(new int[] {0x1, 0x9, 0x8, 0x2, 0x0, 0xA, 0x3});
            byte[] payload = data.consumeBoolean() ? JSON[data.consumeInt(0, JSON.length - 1)].getBytes(StandardCharsets.UTF_8)
                    : data.consumeBytes(data.consumeInt(0, 300));
            boolean masked = !data.consumeBoolean();
            out.write((data.consumeBoolean() ? 0x00 : 0x80) | opcode);
            int mask = masked ? 0x80 : 0;
            if (payload.length < 126) {
                out.write(mask | payload.length);
            } else {
                out.write(mask | 126);
                out.write(payload.length >> 8);
                out.write(payload.length & 0xFF);
            }
            byte[] key = Arrays.copyOf(data.consumeBytes(masked ? 4 : 0), 4);
            if (masked) {
                out.writeBytes(key);
            }
            for (int i = 0; i < payload.length; i++) {
                out.write(masked ? payload[i] ^ key[i % 4] : payload[i]);
            }
        }
    }

    /** Chunks of any size, with time passing between some of them; without data, everything at once. */
    private List<Step> split(byte[] sent) {
        List<Step> steps = new ArrayList<>();
        int at = 0;
        while (at < sent.length) {
            int size = sent.length - at - data.consumeInt(0, sent.length - at - 1);
            steps.add(new Write(Arrays.copyOfRange(sent, at, at + size)));
            at += size;
            if (at < sent.length && data.consumeBoolean()) {
                steps.add(new Wait(data.consumeLong(0, ViewerPortWorld.REQUEST_TIMEOUT_MILLIS + 2_000)));
                valid = false;
            }
        }
        return steps;
    }

    /** Option {@code choice}, where the one past the last is text of the fuzzer's own. */
    private String oneOf(int choice, String... options) {
        return choice < options.length ? options[choice] : ascii(40);
    }

    private String ascii(int maxLength) {
        return data.consumeAsciiString(maxLength);
    }

    private void text(String text) {
        out.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
