package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of {@link TokenVerifier#verify(String)}: a failed check is a value, not an exception,
 * because verification runs on event loops for every handshake.
 */
public sealed interface AuthResult permits AuthResult.Authenticated, AuthResult.Rejected {

    /** The token is valid; {@code principal} says who presented it and what it may do. */
    record Authenticated(Principal principal) implements AuthResult {
        public Authenticated {
            requireNonNull(principal, "principal");
        }
    }

    /** The token was refused; {@code reason} must not reach the client or the logs. */
    record Rejected(RejectReason reason) implements AuthResult {
        public Rejected {
            requireNonNull(reason, "reason");
        }
    }
}
