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

    /**
     * The warning a viewer gets ahead of its token's expiry. Recoverable: a {@link RefreshToken} with a new
     * token keeps the connection open.
     *
     * @param expiresAt the token's {@code exp}
     * @param closesAt when the server closes the connection without a new token: {@code exp} plus the
     *     clock skew the handshake also allows
     */
    public static ErrorEvent tokenExpiring(Instant expiresAt, Instant closesAt, Instant timestamp) {
        return new ErrorEvent(ErrorCode.TOKEN_EXPIRED, "the token expires at " + Timestamps.format(expiresAt)
                + "; the connection will be closed at " + Timestamps.format(closesAt) + " unless "
                + EventNames.REFRESH_TOKEN + " brings a new one", Severity.WARNING, true,
                "Send " + EventNames.REFRESH_TOKEN + " with a new token", null, timestamp);
    }

    /**
     * The answer to a {@link RefreshToken} the server refused; the connection goes on with its old token.
     *
     * @param problem why, in words that never quote the token
     */
    public static ErrorEvent invalidToken(String problem, Instant timestamp) {
        return new ErrorEvent(ErrorCode.INVALID_TOKEN, EventNames.REFRESH_TOKEN + " refused: " + problem,
                Severity.WARNING, true, "Send a token for the same viewer and stream that expires later", null,
                timestamp);
    }

    @Override
    public String eventName() {
        return EventNames.ERROR;
    }
}
