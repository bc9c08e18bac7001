package io.nova.fanout.protocol;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.function.Function;

/**
 * Encodes messages to UTF-8 JSON frames and decodes them back. Thread-safe: one instance can serve every
 * event loop.
 *
 * <p>Encoding writes {@code {"event":...,"seq":...,"data":{...}}} in exactly that key order, with data
 * keys in the order of the record components, absent optional fields left out, and timestamps as UTC with
 * exactly three fraction digits (sub-millisecond precision is truncated).
 *
 * <p>{@link #decodeClientMessage} is what the server applies to every inbound frame, so it is strict and
 * never throws on any input: the envelope may hold only {@code event} and {@code data}; known fields must
 * have the seed's types and stay within {@link ProtocolLimits}; duplicate keys, nesting deeper than 32
 * levels, content after the object and text that is not UTF-8 (overlong forms, surrogates and code points
 * past U+10FFFF included) are refused. Unknown keys <em>inside</em> {@code data} are ignored, so clients can
 * grow without being disconnected by older servers. A JSON {@code null} is the same as an absent field. The
 * answer depends on the frame alone, never on frames decoded before it.
 *
 * <p>{@link #decodeServerMessage} is the lenient counterpart for Java clients and the load tester: it
 * ignores unknown keys at every level.
 */
public final class ProtocolCodec {

    /** The envelope needs three levels; the rest is headroom for extensions, not for hostile input. */
    private static final int MAX_NESTING_DEPTH = 32;

    /** Most frames are a few hundred bytes; the builder grows for the rare larger one. */
    private static final int INITIAL_FRAME_BYTES = 256;

    private static final long NO_SEQ = -1;

    private static final String NOT_UTF8 = "invalid JSON: not UTF-8";

    private final JsonFactory jsonFactory;
    private final ObjectMapper treeMapper;
    private final ServerMessageWriter serverWriter = new ServerMessageWriter();
    private final ClientMessageWriter clientWriter = new ClientMessageWriter();
    private final ServerMessageReader serverReader = new ServerMessageReader();
    private final ClientMessageReader clientReader = new ClientMessageReader();

    public ProtocolCodec() {
        jsonFactory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                // The caller owns the stream, e.g. a ByteBufOutputStream over a buffer it is still filling.
                .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
                .build();
        treeMapper = new ObjectMapper(jsonFactory);
    }

    /** Encodes a connection-level message, which carries no {@code seq}. */
    public byte[] encode(ServerMessage message) {
        Objects.requireNonNull(message, "message");
        return toBytes(json -> serverWriter.write(json, message, NO_SEQ));
    }

    /**
     * Encodes a stream-scoped message with its {@code seq}.
     *
     * @throws IllegalArgumentException if {@code seq} is negative
     */
    public byte[] encode(ServerMessage message, long seq) {
        Objects.requireNonNull(message, "message");
        if (seq < 0) {
            throw new IllegalArgumentException("seq: " + seq + " (expected: >= 0)");
        }
        return toBytes(json -> serverWriter.write(json, message, seq));
    }

    /**
     * Encodes straight into {@code out}, for example a Netty buffer, without an intermediate array.
     * {@code out} is neither flushed nor closed.
     *
     * @param seq the message's {@code seq}, or any negative value for none
     */
    public void encode(ServerMessage message, long seq, OutputStream out) throws IOException {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(out, "out");
        try (JsonGenerator json = jsonFactory.createGenerator(out, JsonEncoding.UTF8)) {
            serverWriter.write(json, message, seq);
        }
    }

    /** Decodes a frame the server sent; never throws on any input. */
    public DecodeResult<ServerMessage> decodeServerMessage(byte[] utf8) {
        return decode(utf8, 0, utf8.length, serverReader::read);
    }

    /** Encodes a message as a viewer would send it. */
    public byte[] encode(ClientMessage message) {
        Objects.requireNonNull(message, "message");
        return toBytes(json -> clientWriter.write(json, message));
    }

    /**
     * Decodes {@code length} bytes of a viewer's frame from {@code offset}; never throws on any content.
     *
     * @throws IndexOutOfBoundsException if the range lies outside {@code utf8}
     */
    public DecodeResult<ClientMessage> decodeClientMessage(byte[] utf8, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, utf8.length);
        // Checked before Jackson sees the frame: it lets ill-formed sequences of the right shape into strings, and
        // its table of field names, shared by every parser, takes the bytes of "even\xFFt" for a valid "event"
        // it has seen before, so what it makes of text that is not UTF-8 depends on what other viewers sent.
        if (!Utf8.isWellFormed(utf8, offset, length)) {
            return Reasons.invalid(NOT_UTF8);
        }
        return decode(utf8, offset, length, clientReader::read);
    }

    /** Decodes a viewer's frame; never throws on any input. */
    public DecodeResult<ClientMessage> decodeClientMessage(byte[] utf8) {
        return decodeClientMessage(utf8, 0, utf8.length);
    }

    private <T> DecodeResult<T> decode(
            byte[] utf8, int offset, int length, Function<JsonNode, DecodeResult<T>> reader) {
        if (hasUtf16Or32Signature(utf8, offset, length)) {
            return Reasons.invalid(NOT_UTF8);
        }
        JsonNode root;
        try (JsonParser parser = jsonFactory.createParser(utf8, offset, length)) {
            root = readSingleValue(parser);
        } catch (IOException e) {
            return Reasons.invalid(Reasons.describe(e));
        }
        return reader.apply(root);
    }

    private JsonNode readSingleValue(JsonParser parser) throws IOException {
        if (parser.nextToken() == null) {
            return MissingNode.getInstance();
        }
        JsonNode value = treeMapper.readTree(parser);
        if (parser.nextToken() != null) {
            // Two concatenated messages are not one message; guessing which one was meant is not our job.
            throw new JsonParseException(parser, "trailing content after the JSON value");
        }
        return value;
    }

    /**
     * Jackson would silently switch to UTF-16 or UTF-32 on a byte-order mark or on zero bytes among the
     * first four, but WebSocket text is UTF-8 only. JSON text in UTF-8 never has a zero byte, and its
     * optional byte-order mark (EF BB BF) is left to Jackson, which skips it.
     */
    private static boolean hasUtf16Or32Signature(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + Math.min(length, 4); i++) {
            if (bytes[i] == 0) {
                return true;
            }
        }
        if (length < 2) {
            return false;
        }
        int firstTwo = (bytes[offset] & 0xFF) << 8 | bytes[offset + 1] & 0xFF;
        return firstTwo == 0xFEFF || firstTwo == 0xFFFE;
    }

    private byte[] toBytes(JsonWriting writing) {
        ByteArrayBuilder bytes = new ByteArrayBuilder(INITIAL_FRAME_BYTES);
        try (JsonGenerator json = jsonFactory.createGenerator(bytes, JsonEncoding.UTF8)) {
            writing.writeTo(json);
        } catch (IOException e) {
            throw new UncheckedIOException("writing to memory cannot fail, yet it did", e);
        }
        return bytes.toByteArray();
    }

    @FunctionalInterface
    private interface JsonWriting {
        void writeTo(JsonGenerator json) throws IOException;
    }
}
