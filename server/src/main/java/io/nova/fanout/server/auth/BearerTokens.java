package io.nova.fanout.server.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/** Reads the token of an {@code Authorization: Bearer <token>} header. */
public final class BearerTokens {
    private static final String BEARER = "Bearer ";

    private BearerTokens() {
    }

    /** The token, or {@code null} when the header is absent or not a bearer credential. */
    public static String from(HttpHeaders headers) {
        String authorization = headers.get(HttpHeaderNames.AUTHORIZATION);
        if (authorization == null || !authorization.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return null;
        }
        return authorization.substring(BEARER.length()).trim();
    }
}
