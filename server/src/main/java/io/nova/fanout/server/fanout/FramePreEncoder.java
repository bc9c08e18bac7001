package io.nova.fanout.server.fanout;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.ServerMessage;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Encodes a server message straight into a complete, unmasked WebSocket text frame (header and payload).
 *
 * <p>Netty's frame encoder copies payloads under 1 KB into a new buffer per channel; writing finished
 * frames instead lets every viewer share one buffer. The JSON is written after room for the largest
 * header, then the header is written right in front of it, so nothing is copied.
 */
public final class FramePreEncoder {
    private static final int MAX_HEADER_BYTES = 10;
    private static final int FIN_TEXT = 0x81;
    private static final int INITIAL_CAPACITY = 512;

    private final ProtocolCodec codec;
    private final ByteBufAllocator allocator;

    public FramePreEncoder(ProtocolCodec codec, ByteBufAllocator allocator) {
        this.codec = codec;
        this.allocator = allocator;
    }

    /** Encodes a connection-level message, which carries no {@code seq}. */
    public ByteBuf encode(ServerMessage message) {
        return encode(message, -1);
    }

    /** Encodes a stream event with its {@code seq}; a negative {@code seq} writes none. */
    public ByteBuf encode(ServerMessage message, long seq) {
        ByteBuf buf = allocator.buffer(INITIAL_CAPACITY);
        boolean done = false;
        try {
            buf.writerIndex(MAX_HEADER_BYTES);
            codec.encode(message, seq, new ByteBufOutputStream(buf));
            int payload = buf.writerIndex() - MAX_HEADER_BYTES;
            int start = MAX_HEADER_BYTES - headerLength(payload);
            buf.setByte(start, FIN_TEXT);
            if (payload < 126) {
                buf.setByte(start + 1, payload);
            } else if (payload <= 0xFFFF) {
                buf.setByte(start + 1, 126);
                buf.setShort(start + 2, payload);
            } else {
                buf.setByte(start + 1, 127);
                buf.setLong(start + 2, payload);
            }
            buf.readerIndex(start);
            done = true;
            return buf;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            if (!done) {
                buf.release();
            }
        }
    }

    /** The payload length of a frame made by this class. */
    public static int payloadLength(ByteBuf frame) {
        int start = frame.readerIndex();
        int len = frame.getByte(start + 1) & 0x7F;
        if (len == 126) {
            return frame.getUnsignedShort(start + 2);
        }
        if (len == 127) {
            return (int) frame.getLong(start + 2);
        }
        return len;
    }

    private static int headerLength(int payload) {
        return payload < 126 ? 2 : payload <= 0xFFFF ? 4 : 10;
    }
}
