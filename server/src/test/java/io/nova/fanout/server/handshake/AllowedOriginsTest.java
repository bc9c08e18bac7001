package io.nova.fanout.server.handshake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AllowedOriginsTest {
    @Test
    void starAllowsEveryOrigin() {
        AllowedOrigins any = AllowedOrigins.of(List.of("*"));
        assertThat(any.allowsAny()).isTrue();
        assertThat(any.allows("https://anything.example")).isTrue();
        assertThat(any.allows(null)).isTrue();
    }

    @Test
    void exactOriginsMatchSchemeHostAndPortIgnoringCase() {
        AllowedOrigins some = AllowedOrigins.of(List.of("https://Player.example.com", "http://127.0.0.1:8080"));
        assertThat(some.allowsAny()).isFalse();
        assertThat(some.allows("https://player.example.com")).isTrue();
        assertThat(some.allows("HTTPS://PLAYER.EXAMPLE.COM")).isTrue();
        assertThat(some.allows("http://127.0.0.1:8080")).isTrue();
        assertThat(some.allows("http://player.example.com")).as("another scheme").isFalse();
        assertThat(some.allows("https://player.example.com:8443")).as("another port").isFalse();
        assertThat(some.allows("http://127.0.0.1")).isFalse();
        assertThat(some.allows("null")).as("a sandboxed page").isFalse();
        assertThat(some.allows(null)).as("not from a browser page").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"player.example.com", "https://player.example.com/", "https://player.example.com/path",
            "ftp://player.example.com", "https://user@player.example.com", "https://", "https://h?q", "not an origin"})
    void entriesThatAreNotOriginsAreRefusedByName(String entry) {
        assertThatThrownBy(() -> AllowedOrigins.of(List.of(entry)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("allowedOrigins: " + entry
                        + " (expected: an origin such as https://player.example.com or http://127.0.0.1:8080, or *)");
    }

    @Test
    void starGoesAloneAndSomethingMustBeAllowed() {
        assertThatThrownBy(() -> AllowedOrigins.of(List.of("*", "https://a.example")))
                .hasMessage("allowedOrigins: *,https://a.example (expected: * alone, or origins without *)");
        assertThatThrownBy(() -> AllowedOrigins.of(List.of()))
                .hasMessage("allowedOrigins: none (expected: * or at least one origin)");
    }
}
