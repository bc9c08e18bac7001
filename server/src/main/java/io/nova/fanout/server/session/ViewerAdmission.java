package io.nova.fanout.server.session;

import io.nova.fanout.server.stream.Stream;
import java.time.Instant;

/**
 * A viewer the handshake let in: who they are, which stream they watch, and until when their token holds.
 *
 * @param tokenExpiresAt the {@code exp} of the token the viewer connected with
 */
public record ViewerAdmission(Stream stream, String viewerId, Instant tokenExpiresAt) {
}
