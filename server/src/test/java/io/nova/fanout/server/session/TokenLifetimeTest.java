package io.nova.fanout.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.nova.fanout.server.auth.AuthResult;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.auth.RejectReason;
import io.nova.fanout.server.auth.StreamGrant;
import io.nova.fanout.server.session.TokenLifetime.Action;
import io.nova.fanout.server.session.TokenLifetime.Refresh;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class TokenLifetimeTest {
    private static final Instant WALL = Instant.parse("2025-10-21T10:30:45Z");
    private static final Duration WARNING = Duration.ofSeconds(30);
    private static final String VIEWER = "viewer-1";
    private static final String STREAM = "s1";
    private static final long S = 1_000_000_000L;
    /** Close to the ticker's wrap, so that every deadline below crosses it. */
    private static final long T0 = Long.MAX_VALUE - 100 * S;

    private static TokenLifetime expiringIn(Duration untilExp) {
        return new TokenLifetime(WALL.plus(untilExp), WARNING, WALL, T0);
    }

    private static AuthResult token(String subject, List<String> streams, Instant expiresAt) {
        return new AuthResult.Authenticated(new Principal(subject, StreamGrant.of(streams), false, expiresAt));
    }

    @Test
    void warnsOnceTheWarningBeforeExpThenClosesWhenTheHandshakesSkewRunsOut() {
        TokenLifetime lifetime = expiringIn(Duration.ofSeconds(120));

        assertThat(lifetime.onTick(T0)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 90 * S - 1)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 90 * S)).isEqualTo(Action.WARN);
        assertThat(lifetime.onTick(T0 + 91 * S)).as("once per token").isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 150 * S - 1)).isEqualTo(Action.NONE);
        assertThat(lifetime.expired(T0 + 150 * S - 1)).isFalse();
        assertThat(lifetime.onTick(T0 + 150 * S)).isEqualTo(Action.CLOSE);
        assertThat(lifetime.expired(T0 + 150 * S)).isTrue();
        assertThat(lifetime.expiresAt()).isEqualTo(WALL.plusSeconds(120));
        assertThat(lifetime.closesAt()).isEqualTo(WALL.plusSeconds(150));
    }

    @Test
    void aTokenAlreadyInsideItsWarningIsWarnedAtTheFirstTick() {
        TokenLifetime lifetime = expiringIn(Duration.ofSeconds(10));

        assertThat(lifetime.onTick(T0 + S)).isEqualTo(Action.WARN);
        assertThat(lifetime.onTick(T0 + 2 * S)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 40 * S)).isEqualTo(Action.CLOSE);
    }

    @Test
    void aTokenPastItsExpThatTheHandshakeStillAcceptedKeepsTheRestOfTheSkew() {
        TokenLifetime lifetime = expiringIn(Duration.ofSeconds(-20));

        assertThat(lifetime.onTick(T0)).isEqualTo(Action.WARN);
        assertThat(lifetime.onTick(T0 + 10 * S - 1)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 10 * S)).isEqualTo(Action.CLOSE);
    }

    @Test
    void aZeroWarningWarnsAtExpStillASkewAheadOfTheClose() {
        TokenLifetime lifetime = new TokenLifetime(WALL.plusSeconds(60), Duration.ZERO, WALL, T0);

        assertThat(lifetime.onTick(T0 + 60 * S - 1)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 60 * S)).isEqualTo(Action.WARN);
        assertThat(lifetime.onTick(T0 + 90 * S)).isEqualTo(Action.CLOSE);
    }

    @Test
    void aDistantExpNeitherOverflowsNorEverComes() {
        TokenLifetime lifetime = new TokenLifetime(Instant.parse("+100000-01-01T00:00:00Z"), WARNING, WALL, T0);

        assertThat(lifetime.onTick(T0 + 50L * 365 * 24 * 3600 * S)).isEqualTo(Action.NONE);
        assertThat(lifetime.expired(T0 + 50L * 365 * 24 * 3600 * S)).isFalse();
    }

    @Test
    void aLaterTokenOfTheSameViewerAndStreamMovesBothDeadlines() {
        TokenLifetime lifetime = expiringIn(Duration.ofSeconds(120));
        assertThat(lifetime.onTick(T0 + 90 * S)).isEqualTo(Action.WARN);

        Refresh outcome = lifetime.refresh(token(VIEWER, List.of(STREAM), WALL.plusSeconds(3690)), VIEWER, STREAM,
                WALL.plusSeconds(90), T0 + 90 * S);

        assertThat(outcome).isEqualTo(Refresh.ACCEPTED);
        assertThat(lifetime.expiresAt()).isEqualTo(WALL.plusSeconds(3690));
        assertThat(lifetime.onTick(T0 + 150 * S)).as("past the old close").isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 3660 * S - 1)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 3660 * S)).as("the new token is warned about too").isEqualTo(Action.WARN);
        assertThat(lifetime.onTick(T0 + 3720 * S)).isEqualTo(Action.CLOSE);
    }

    @Test
    void aRefreshedTokenAlreadyInsideItsWarningIsNotWarnedAboutAgain() {
        TokenLifetime lifetime = expiringIn(Duration.ofSeconds(120));
        assertThat(lifetime.onTick(T0 + 90 * S)).isEqualTo(Action.WARN);

        assertThat(lifetime.refresh(token(VIEWER, List.of("*"), WALL.plusSeconds(130)), VIEWER, STREAM,
                WALL.plusSeconds(100), T0 + 100 * S)).isEqualTo(Refresh.ACCEPTED);

        assertThat(lifetime.onTick(T0 + 101 * S)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 160 * S - 1)).isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 160 * S)).isEqualTo(Action.CLOSE);
    }

    @Test
    void refusedTokensLeaveTheDeadlinesAlone() {
        TokenLifetime lifetime = expiringIn(Duration.ofSeconds(120));
        Instant later = WALL.plusSeconds(3600);
        Instant wall = WALL.plusSeconds(95);
        long now = T0 + 95 * S;
        assertThat(lifetime.onTick(T0 + 90 * S)).isEqualTo(Action.WARN);

        assertThat(lifetime.refresh(new AuthResult.Rejected(RejectReason.BAD_SIGNATURE), VIEWER, STREAM, wall, now))
                .isEqualTo(Refresh.INVALID);
        assertThat(lifetime.refresh(token("viewer-2", List.of(STREAM), later), VIEWER, STREAM, wall, now))
                .isEqualTo(Refresh.OTHER_VIEWER);
        assertThat(lifetime.refresh(token(VIEWER, List.of("s2"), later), VIEWER, STREAM, wall, now))
                .isEqualTo(Refresh.OTHER_STREAM);
        assertThat(lifetime.refresh(token(VIEWER, List.of(STREAM), WALL.plusSeconds(120)), VIEWER, STREAM, wall, now))
                .as("the same exp").isEqualTo(Refresh.NOT_LATER);
        assertThat(lifetime.refresh(token(VIEWER, List.of(STREAM), WALL.plusSeconds(100)), VIEWER, STREAM, wall, now))
                .as("an earlier exp").isEqualTo(Refresh.NOT_LATER);

        assertThat(lifetime.expiresAt()).isEqualTo(WALL.plusSeconds(120));
        assertThat(lifetime.onTick(T0 + 96 * S)).as("no second warning").isEqualTo(Action.NONE);
        assertThat(lifetime.onTick(T0 + 150 * S)).isEqualTo(Action.CLOSE);
    }

    @Test
    void outcomesAreMetricTagsOfAClosedSetAndOnlyRefusalsHaveAProblem() {
        assertThat(Refresh.values()).extracting(Refresh::tag)
                .containsExactly("accepted", "invalid", "other_viewer", "other_stream", "not_later");
        assertThat(Refresh.ACCEPTED.problem).isNull();
        assertThat(Refresh.INVALID.problem).isEqualTo("invalid or expired token");
    }
}
