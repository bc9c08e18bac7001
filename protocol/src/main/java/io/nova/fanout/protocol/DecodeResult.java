package io.nova.fanout.protocol;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * What decoding one frame produced. Decoding never throws on bad input: a frame is either a message or
 * a reason why not, and the caller decides what a bad frame costs the sender.
 *
 * @param <T> {@link ServerMessage} or {@link ClientMessage}
 */
public sealed interface DecodeResult<T> permits DecodeResult.Decoded, DecodeResult.Invalid {

    /**
     * A well-formed message.
     *
     * @param seq the envelope's {@code "seq"}; only stream-scoped server events carry one
     */
    record Decoded<T>(T message, OptionalLong seq) implements DecodeResult<T> {
        public Decoded {
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(seq, "seq");
        }
    }

    /**
     * A frame that is not a valid message.
     *
     * @param reason names the offending field, e.g. {@code data.request_id: required}. Reasons made by
     *     {@link ProtocolCodec} are printable ASCII of at most 120 characters, so they fit a WebSocket
     *     close reason and a log line as they are, whatever the client sent.
     */
    record Invalid<T>(String reason) implements DecodeResult<T> {
        public Invalid {
            Objects.requireNonNull(reason, "reason");
        }
    }
}
