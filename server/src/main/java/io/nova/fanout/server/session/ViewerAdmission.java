package io.nova.fanout.server.session;

import io.nova.fanout.server.stream.Stream;

/** A viewer the handshake let in: who they are and which stream they watch. */
public record ViewerAdmission(Stream stream, String viewerId) {
}
