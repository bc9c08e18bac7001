package io.nova.fanout.server.broadcast;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.server.auth.AuthResult;
import io.nova.fanout.server.auth.BearerTokens;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.auth.TokenVerifier;

/** Checks a broadcaster's {@code Authorization: Bearer} token and its role. */
final class BroadcasterAuth {

    /** Either a principal allowed to broadcast, or the refusal to answer with. */
    record Verdict(Principal principal, HttpResponseStatus status, ErrorCode code, String message) {
        boolean allowed() {
            return principal != null;
        }
    }

    private final TokenVerifier tokens;

    BroadcasterAuth(TokenVerifier tokens) {
        this.tokens = tokens;
    }

    Verdict check(HttpHeaders headers) {
        AuthResult result = tokens.verify(BearerTokens.from(headers));
        if (!(result instanceof AuthResult.Authenticated authenticated)) {
            return new Verdict(null, HttpResponseStatus.UNAUTHORIZED, ErrorCode.CONNECTION_REJECTED,
                    "missing, invalid or expired bearer token");
        }
        if (!authenticated.principal().broadcaster()) {
            return new Verdict(null, HttpResponseStatus.FORBIDDEN, ErrorCode.UNAUTHORIZED,
                    "token lacks \"role\": \"broadcaster\"");
        }
        return new Verdict(authenticated.principal(), HttpResponseStatus.OK, null, null);
    }
}
