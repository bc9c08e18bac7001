package io.nova.fanout.protocol;

import java.util.Objects;

/**
 * A new token for the viewer's connection, sent after {@link ErrorCode#TOKEN_EXPIRED}. Not in the seed.
 *
 * @param token a JWT of 1 to {@link ProtocolLimits#MAX_TOKEN_CHARS} characters
 */
public record RefreshToken(String token) implements ClientMessage {

    public RefreshToken {
        Objects.requireNonNull(token, "token");
    }

    @Override
    public String eventName() {
        return EventNames.REFRESH_TOKEN;
    }

    /** Without the token: it is a credential, and records end up in logs and assertion messages. */
    @Override
    public String toString() {
        return "RefreshToken[token=<" + token.length() + " characters>]";
    }
}
