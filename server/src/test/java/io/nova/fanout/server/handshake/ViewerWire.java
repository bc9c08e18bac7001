package io.nova.fanout.server.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.ServerMessage;
import io.nova.fanout.server.session.SessionFixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What the viewer port wrote on one connection, read back strictly: HTTP responses, then, after a 101, the
 * server's WebSocket frames. Anything that is neither fails here, with what was written.
 */
record ViewerWire(List<Response> responses, List<Frame> frames) {

    /** @param bodyOmitted a Content-Length without the body, as in an answer to HEAD */
    record Response(int status, Map<String, String> headers, String body, boolean bodyOmitted) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A server frame: its opcode, and for a text frame the message it decodes to. */
    record Frame(int opcode, byte[] payload, ServerMessage message) {
        static final int TEXT = 0x1;
        static final int CLOSE = 0x8;
        static final int PING = 0x9;
        static final int PONG = 0xA;
    }

    boolean upgraded() {
        return !responses.isEmpty() && responses.get(responses.size() - 1).status() == 101;
    }

    /** Reads everything in {@code wire}, which it does not release. */
    static ViewerWire read(ByteBuf wire) {
        ByteBuf in = wire.duplicate();
        List<Response> responses = new ArrayList<>();
        while (in.isReadable()) {
            Response response = readResponse(in);
            responses.add(response);
            if (response.status() == 101) {
                return new ViewerWire(responses, readFrames(in));
            }
        }
        return new ViewerWire(responses, List.of());
    }

    private static Response readResponse(ByteBuf in) {
        int headEnd = ByteBufUtil.indexOf(Unpooled.wrappedBuffer("\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), in);
        assertThat(headEnd).as("end of a response head in %s", show(in)).isNotNegative();
        String head = in.readCharSequence(headEnd + 4 - in.readerIndex(), StandardCharsets.US_ASCII).toString();
        String[] lines = head.substring(0, head.length() - 4).split("\r\n", -1);
        assertThat(lines[0]).as("status line").matches("HTTP/1\\.1 [1-5][0-9][0-9] [ -~]+");
        int status = Integer.parseInt(lines[0].substring(9, 12));
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            assertThat(colon).as("header line %s", lines[i]).isPositive();
            headers.putIfAbsent(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        String length = headers.get("content-length");
        int bodyBytes = length == null ? 0 : Integer.parseInt(length);
        // The answer to a HEAD has the Content-Length of a GET and no body; no body here starts like a response.
        boolean headless = bodyBytes > 0 && (startsWith(in, "HTTP/1.1 ") || !in.isReadable());
        if (headless) {
            bodyBytes = 0;
        }
        assertThat(in.readableBytes()).as("a body of %s bytes after %s", bodyBytes, lines[0]).isGreaterThanOrEqualTo(bodyBytes);
        String body = in.readCharSequence(bodyBytes, StandardCharsets.UTF_8).toString();
        return new Response(status, headers, body, headless);
    }

    private static List<Frame> readFrames(ByteBuf in) {
        List<Frame> frames = new ArrayList<>();
        while (in.isReadable()) {
            assertThat(in.readableBytes()).as("a frame header").isGreaterThanOrEqualTo(2);
            int first = in.readUnsignedByte();
            int second = in.readUnsignedByte();
            assertThat(first & 0xF0).as("FIN and no reserved bits").isEqualTo(0x80);
            assertThat(second & 0x80).as("server frames are not masked").isZero();
            long length = second & 0x7F;
            if (length == 126) {
                length = in.readUnsignedShort();
            } else if (length == 127) {
                length = in.readLong();
            }
            assertThat(length).as("frame payload length").isBetween(0L, (long) in.readableBytes());
            byte[] payload = new byte[(int) length];
            in.readBytes(payload);
            int opcode = first & 0x0F;
            assertThat(opcode).as("opcode").isIn(Frame.TEXT, Frame.CLOSE, Frame.PING, Frame.PONG);
            frames.add(new Frame(opcode, payload, opcode == Frame.TEXT ? decode(payload) : null));
        }
        return frames;
    }

    private static ServerMessage decode(byte[] json) {
        DecodeResult<ServerMessage> result = SessionFixtures.CODEC.decodeServerMessage(json);
        assertThat(result).as("server message %s", new String(json, StandardCharsets.UTF_8))
                .isInstanceOf(DecodeResult.Decoded.class);
        return ((DecodeResult.Decoded<ServerMessage>) result).message();
    }

    private static boolean startsWith(ByteBuf in, String prefix) {
        return in.readableBytes() >= prefix.length()
                && in.toString(in.readerIndex(), prefix.length(), StandardCharsets.US_ASCII).equals(prefix);
    }

    private static String show(ByteBuf in) {
        return in.toString(in.readerIndex(), Math.min(in.readableBytes(), 300), StandardCharsets.ISO_8859_1);
    }
}
