package io.nova.fanout.server.it;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A hand-rolled WebSocket client for frames the JDK client will not send: oversized, fragmented, invalid
 * UTF-8, any opcode, reserved bits, unmasked, in chops. Client frames are masked as RFC 6455 requires unless
 * a test asks otherwise. Every read is bounded by the socket timeout and every loop by a frame count.
 */
final class RawWebSocket implements AutoCloseable {
    static final int CONTINUATION = 0x0;
    static final int TEXT = 0x1;
    static final int BINARY = 0x2;
    static final int CLOSE = 0x8;
    static final int PING = 0x9;
    static final int PONG = 0xA;
    static final int FIN = 0x80;
    /** The code reported when the connection ends without a close frame. */
    static final int NO_CLOSE_FRAME = 1006;
    private static final int MAX_FRAMES_READ = 100_000;

    /** One frame from the server. */
    record Frame(boolean fin, int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }
    }

    /** The server's close frame: its code and reason. */
    record Close(int code, String reason) {
    }

    private final Socket socket;
    private final DataInputStream in;
    private final OutputStream out;

    private RawWebSocket(Socket socket, DataInputStream in) throws IOException {
        this.socket = socket;
        this.in = in;
        this.out = socket.getOutputStream();
    }

    /** Upgrades {@code target} on the port and fails unless the answer is 101. */
    static RawWebSocket connect(int port, String target, Map<String, String> extraHeaders) throws IOException {
        Socket socket = RawHttp.open(port);
        try {
            Map<String, String> headers = new LinkedHashMap<>();
            headers.put("Host", "127.0.0.1:" + port);
            headers.putAll(RawHttp.upgradeHeaders());
            headers.putAll(extraHeaders);
            RawHttp.writeRequest(socket.getOutputStream(), "GET", target, headers, null);
            DataInputStream in = new DataInputStream(new BufferedInputStream(socket.getInputStream()));
            RawHttp.Response response = RawHttp.readResponse(in, false);
            if (response.status() != 101) {
                throw new AssertionError("expected 101, got " + response);
            }
            return new RawWebSocket(socket, in);
        } catch (IOException | RuntimeException | Error e) {
            socket.close();
            throw e;
        }
    }

    /** Writes one masked frame. */
    void sendFrame(boolean fin, int opcode, byte[] payload) throws IOException {
        sendFrame((fin ? FIN : 0) | opcode, true, payload);
    }

    /**
     * Writes one frame with any first byte (FIN, RSV1-3, opcode), masked or not: also the frames RFC 6455
     * forbids a client to send.
     */
    void sendFrame(int firstByte, boolean masked, byte[] payload) throws IOException {
        byte[] mask = masked ? newMask() : null;
        out.write(header(firstByte, payload.length, mask));
        out.write(masked ? mask(payload, mask) : payload);
        out.flush();
    }

    /**
     * Writes the header of a masked frame declaring {@code declaredLength} payload bytes, and none of them: what
     * a server that checks the length on the header has to decide on.
     */
    void sendFrameHeader(int firstByte, long declaredLength) throws IOException {
        out.write(header(firstByte, declaredLength, newMask()));
        out.flush();
    }

    /** Writes one masked frame in pieces of {@code chop} bytes, each flushed on its own. */
    void sendFrameInChops(int firstByte, byte[] payload, int chop) throws IOException {
        byte[] mask = newMask();
        byte[] header = header(firstByte, payload.length, mask);
        byte[] frame = Arrays.copyOf(header, header.length + payload.length);
        System.arraycopy(mask(payload, mask), 0, frame, header.length, payload.length);
        for (int start = 0; start < frame.length; start += chop) {
            out.write(frame, start, Math.min(chop, frame.length - start));
            out.flush();
        }
    }

    private static byte[] header(int firstByte, long length, byte[] mask) {
        byte[] header = new byte[14];
        int h = 0;
        header[h++] = (byte) firstByte;
        int maskBit = mask != null ? 0x80 : 0;
        if (length < 126) {
            header[h++] = (byte) (maskBit | length);
        } else if (length <= 0xFFFF) {
            header[h++] = (byte) (maskBit | 126);
            header[h++] = (byte) (length >>> 8);
            header[h++] = (byte) length;
        } else {
            header[h++] = (byte) (maskBit | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                header[h++] = (byte) (length >>> shift);
            }
        }
        if (mask != null) {
            System.arraycopy(mask, 0, header, h, 4);
            h += 4;
        }
        return Arrays.copyOf(header, h);
    }

    private static byte[] newMask() {
        byte[] mask = new byte[4];
        ThreadLocalRandom.current().nextBytes(mask);
        return mask;
    }

    private static byte[] mask(byte[] payload, byte[] mask) {
        byte[] masked = new byte[payload.length];
        for (int i = 0; i < payload.length; i++) {
            masked[i] = (byte) (payload[i] ^ mask[i & 3]);
        }
        return masked;
    }

    /** Writes bytes as they are: frames this client would never build, for the protocol-violation tests. */
    void sendRaw(byte... bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void sendText(String text) throws IOException {
        sendFrame(true, TEXT, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Reads the next frame; {@code null} at the end of the stream or when the server reset the connection. */
    Frame readFrame() throws IOException {
        int b0;
        try {
            b0 = in.read();
        } catch (SocketTimeoutException e) {
            throw e;
        } catch (IOException e) {
            return null;
        }
        if (b0 < 0) {
            return null;
        }
        int b1 = in.readUnsignedByte();
        long length = b1 & 0x7F;
        if (length == 126) {
            length = in.readUnsignedShort();
        } else if (length == 127) {
            length = in.readLong();
        }
        if ((b1 & 0x80) != 0) {
            throw new IOException("the server masked a frame");
        }
        if (length > 64L * 1024 * 1024) {
            throw new IOException("frame of " + length + " bytes");
        }
        byte[] payload = new byte[(int) length];
        in.readFully(payload);
        return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
    }

    /** Reads until a text frame arrives and returns its text. */
    String readText() throws IOException {
        for (int i = 0; i < MAX_FRAMES_READ; i++) {
            Frame frame = readFrame();
            if (frame == null) {
                throw new EOFException("connection closed before a text frame");
            }
            if (frame.opcode() == TEXT) {
                return frame.text();
            }
        }
        throw new IOException("no text frame among " + MAX_FRAMES_READ + " frames");
    }

    /**
     * Skips data frames until the server's close frame and returns its code and reason; {@link #NO_CLOSE_FRAME}
     * if the connection ends without one.
     */
    Close awaitClose() throws IOException {
        for (int i = 0; i < MAX_FRAMES_READ; i++) {
            Frame frame;
            try {
                frame = readFrame();
            } catch (EOFException e) {
                return new Close(NO_CLOSE_FRAME, "");
            }
            if (frame == null) {
                return new Close(NO_CLOSE_FRAME, "");
            }
            if (frame.opcode() == CLOSE) {
                byte[] p = frame.payload();
                int code = p.length >= 2 ? ((p[0] & 0xFF) << 8) | (p[1] & 0xFF) : 1005;
                String reason = p.length > 2 ? new String(p, 2, p.length - 2, StandardCharsets.UTF_8) : "";
                return new Close(code, reason);
            }
        }
        throw new IOException("no close frame among " + MAX_FRAMES_READ + " frames");
    }

    /** Whether the server ended the TCP connection within the socket timeout. */
    boolean awaitEndOfStream() throws IOException {
        for (int i = 0; i < MAX_FRAMES_READ; i++) {
            try {
                if (readFrame() == null) {
                    return true;
                }
            } catch (EOFException e) {
                return true;
            } catch (SocketTimeoutException e) {
                return false;
            }
        }
        return false;
    }

    /** Drops the connection with a TCP reset instead of a close handshake. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
