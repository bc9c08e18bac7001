package io.nova.fanout.server.session;

import io.nova.fanout.server.auth.AuthResult;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.auth.TokenVerifier;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * One viewer's token as the heartbeat sweep sees it: when to warn that it expires and when to close the
 * connection for it. A token's {@code exp} is wall-clock time; it is turned into two deadlines on the event
 * loop's ticker once, with the server's clock, whenever a token is accepted (at the upgrade and at each
 * refresh), so that each sweep compares numbers and no viewer needs a timer of its own. Owned by the
 * viewer's event loop.
 *
 * <p>The close comes when a handshake would refuse the token: {@code exp} plus
 * {@link TokenVerifier#CLOCK_SKEW}. The warning comes {@code warning} before {@code exp}, once per token.
 */
final class TokenLifetime {
    enum Action { NONE, WARN, CLOSE }

    /** What became of a {@code refresh_token}; {@link #problem} is what the viewer is told, never the token. */
    enum Refresh {
        ACCEPTED(null),
        INVALID("invalid or expired token"),
        OTHER_VIEWER("the token is for another viewer"),
        OTHER_STREAM("the token does not grant this stream"),
        NOT_LATER("the token does not expire later than the current one");

        final String problem;

        Refresh(String problem) {
            this.problem = problem;
        }

        /** The outcome as a metric tag: a closed set. */
        String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Deadlines beyond this (73 years) are this: far enough, and ticker arithmetic cannot overflow. */
    private static final Duration HORIZON = Duration.ofNanos(Long.MAX_VALUE / 4);

    private final Duration warning;
    private Instant expiresAt;
    private long warnAt;
    private long closeAt;
    private boolean warned;

    /** @param nowNanos the event loop's ticker at the moment the server's clock read {@code wallNow} */
    TokenLifetime(Instant expiresAt, Duration warning, Instant wallNow, long nowNanos) {
        this.warning = warning;
        schedule(expiresAt, wallNow, nowNanos);
    }

    Action onTick(long now) {
        if (expired(now)) {
            return Action.CLOSE;
        }
        if (!warned && now - warnAt >= 0) {
            warned = true;
            return Action.WARN;
        }
        return Action.NONE;
    }

    /** Whether the connection has outlived its token. */
    boolean expired(long now) {
        return now - closeAt >= 0;
    }

    /** The current token's {@code exp}. */
    Instant expiresAt() {
        return expiresAt;
    }

    /** When, by the server's clock, the connection is closed unless a newer token comes. */
    Instant closesAt() {
        return expiresAt.plus(TokenVerifier.CLOCK_SKEW);
    }

    /**
     * Takes the new token if it is valid, names the same viewer, grants the stream and expires later than
     * the current one; otherwise keeps the current one.
     *
     * @param verdict what the handshake's {@link TokenVerifier} said of the new token
     */
    Refresh refresh(AuthResult verdict, String viewerId, String streamId, Instant wallNow, long nowNanos) {
        if (!(verdict instanceof AuthResult.Authenticated authenticated)) {
            return Refresh.INVALID;
        }
        Principal principal = authenticated.principal();
        if (!principal.subject().equals(viewerId)) {
            return Refresh.OTHER_VIEWER;
        }
        if (!principal.grant().allows(streamId)) {
            return Refresh.OTHER_STREAM;
        }
        if (!principal.expiresAt().isAfter(expiresAt)) {
            return Refresh.NOT_LATER;
        }
        schedule(principal.expiresAt(), wallNow, nowNanos);
        // A token already inside its warning window when it arrives is not warned about: the viewer that
        // sent it learns its exp from token_refreshed, and a warning would only ask for another refresh at
        // once, and again at every sweep, with tokens shorter-lived than the warning.
        warned = nowNanos - warnAt >= 0;
        return Refresh.ACCEPTED;
    }

    private void schedule(Instant newExpiresAt, Instant wallNow, long nowNanos) {
        expiresAt = newExpiresAt;
        closeAt = nowNanos + nanosBetween(wallNow, closesAt());
        warnAt = nowNanos + nanosBetween(wallNow, newExpiresAt.minus(warning));
        warned = false;
    }

    private static long nanosBetween(Instant from, Instant to) {
        Duration between = Duration.between(from, to);
        if (between.compareTo(HORIZON) > 0) {
            return HORIZON.toNanos();
        }
        return between.compareTo(HORIZON.negated()) < 0 ? -HORIZON.toNanos() : between.toNanos();
    }
}
