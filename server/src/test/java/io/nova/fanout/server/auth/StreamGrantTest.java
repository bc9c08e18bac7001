package io.nova.fanout.server.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class StreamGrantTest {

    @Test
    void anyAllowsEveryStream() {
        assertThat(StreamGrant.any().allows("whatever")).isTrue();
    }

    @Test
    void listAllowsExactlyItsStreams() {
        final StreamGrant grant = StreamGrant.of(List.of("a", "b", "a"));
        assertThat(grant.allows("a")).isTrue();
        assertThat(grant.allows("b")).isTrue();
        assertThat(grant.allows("c")).isFalse();
        assertThat(grant.allows("*")).isFalse();
        assertThat(grant).isEqualTo(StreamGrant.of(List.of("b", "a")))
                         .hasSameHashCodeAs(StreamGrant.of(List.of("b", "a")));
    }

    @Test
    void wildcardElementMeansAny() {
        assertThat(StreamGrant.of(List.of("a", "*"))).isSameAs(StreamGrant.any());
    }

    @Test
    void readsEveryValidClaimShape() {
        assertThat(StreamGrant.fromClaim(null)).contains(StreamGrant.any());
        assertThat(StreamGrant.fromClaim("*")).contains(StreamGrant.any());
        assertThat(StreamGrant.fromClaim(List.of("a"))).contains(StreamGrant.of(List.of("a")));
        assertThat(StreamGrant.fromClaim(List.of())).contains(StreamGrant.of(List.of()));
    }

    @Test
    void refusesEveryOtherClaimShape() {
        assertThat(StreamGrant.fromClaim(1L)).isEmpty();
        assertThat(StreamGrant.fromClaim("a")).isEmpty();
        assertThat(StreamGrant.fromClaim(Map.of())).isEmpty();
        assertThat(StreamGrant.fromClaim(List.of("a", 1L))).isEmpty();
        assertThat(StreamGrant.fromClaim(List.of(List.of("a")))).isEmpty();
    }
}
