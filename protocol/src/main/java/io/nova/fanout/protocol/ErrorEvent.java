package io.nova.fanout.protocol;

import java.time.Instant;
import java.util.Objects;

/**
 * Something went wrong that the viewer should know about (event {@code error}).
 *
 * @param suggestedAction what the viewer could do about it; {@code null} leaves the field out
 * @param droppedCount how many messages were dropped; set only for {@link ErrorCode#MESSAGES_DROPPED},
 *     {@code null} (and left out of the JSON) otherwise
 */
public record ErrorEvent(
        ErrorCode errorCode, String errorMessage, Severity severity, boolean recoverable,
        String suggestedAction, Long droppedCount, Instant timestamp)
        implements ServerMessage {

    public ErrorEvent {
        Objects.requireNonNull(errorCode, "errorCode");
        Objects.requireNonNull(errorMessage, "errorMessage");
        Objects.requireNonNull(severity, "severity");
        Objects.requireNonNull(timestamp, "timestamp");
    }

    /**
     * The notice a viewer gets when it becomes writable again after its backlog overflowed. It is
     * recoverable: the viewer keeps its connection and can re-read the state it missed.
     *
     * @throws IllegalArgumentException if {@code droppedCount} is not positive
     */
    public static ErrorEvent messagesDropped(long droppedCount, Instant timestamp) {
        if (droppedCount <= 0) {
            throw new IllegalArgumentException("droppedCount: " + droppedCount + " (expected: > 0)");
        }
        return new ErrorEvent(
                ErrorCode.MESSAGES_DROPPED,
                droppedCount + " messages were dropped because the connection fell behind",
                Severity.WARNING,
                true,
                "Call " + EventNames.GET_STREAM_INFO + " to resynchronise state",
                droppedCount,
                timestamp);
    }

    /**
     * The answer to the first message of a viewer's burst over its inbound rate limit; that message and the
     * rest of the burst are ignored.
     */
    public static ErrorEvent rateLimited(int perSecond, int burst, Instant timestamp) {
        return new ErrorEvent(ErrorCode.RATE_LIMITED, "too many messages (at most " + perSecond
                + " a second, in bursts of " + burst + "); messages over the limit are ignored", Severity.WARNING,
                true, "Send fewer messages", null, timestamp);
    }

    /** What every viewer gets when the server shuts down, before its close 1001; recoverable by reconnecting. */
    public static ErrorEvent serverShutdown(Instant timestamp) {
        return new ErrorEvent(ErrorCode.SERVER_SHUTDOWN, "the server is shutting down", Severity.WARNING, true,
                "Reconnect", null, timestamp);
    }

    @Override
    public String eventName() {
        return EventNames.ERROR;
    }
}
