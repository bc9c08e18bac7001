package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * Who presented a valid token.
 *
 * @param subject the token's {@code sub}: non-blank, at most 256 characters
 * @param grant the streams the token may touch
 * @param broadcaster whether the token carries {@code "role": "broadcaster"}
 * @param expiresAt the token's {@code exp}, which every token has
 */
public record Principal(String subject, StreamGrant grant, boolean broadcaster, Instant expiresAt) {
    public Principal {
        requireNonNull(subject, "subject");
        requireNonNull(grant, "grant");
        requireNonNull(expiresAt, "expiresAt");
    }
}
