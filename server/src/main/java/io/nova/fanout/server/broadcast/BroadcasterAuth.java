package io.nova.fanout.server.broadcast;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
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

    /**
     * The verdict, completed on {@code executor}: at once, or after one read of the JWKS for a token whose
     * {@code kid} the server does not know yet (see {@link TokenVerifier#verify(String, EventExecutor)}).
     */
    Future<Verdict> check(HttpHeaders headers, EventExecutor executor) {
        Future<AuthResult> result = tokens.verify(BearerTokens.from(headers), executor);
        if (result.isDone()) {
            return result.isSuccess() ? executor.newSucceededFuture(verdict(result.getNow()))
                    : executor.newFailedFuture(result.cause());
        }
        Promise<Verdict> verdict = executor.newPromise();
        result.addListener(done -> {
            if (done.isSuccess()) {
                verdict.setSuccess(verdict(result.getNow()));
            } else {
                verdict.setFailure(done.cause());
            }
        });
        return verdict;
    }

    private static Verdict verdict(AuthResult result) {
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
