package io.nova.fanout.protocol;

import java.util.Optional;

/**
 * Machine-readable {@code error.error_code}. Unlike the other enums these travel in UPPER_CASE, as in
 * the seed.
 */
public enum ErrorCode implements WireValue {
    /** The stream does not exist. */
    STREAM_NOT_FOUND("STREAM_NOT_FOUND"),
    /** The stream has ended. */
    STREAM_ENDED("STREAM_ENDED"),
    /** Invalid token or permissions. */
    CONNECTION_REJECTED("CONNECTION_REJECTED"),
    /** Malformed message or invalid state. */
    PROTOCOL_ERROR("PROTOCOL_ERROR"),
    /** Internal server error. */
    SERVER_ERROR("SERVER_ERROR"),
    /** The broadcaster's connection dropped. */
    RTMP_CONNECTION_LOST("RTMP_CONNECTION_LOST"),
    /** The broadcaster's RTMP handshake failed. */
    RTMP_HANDSHAKE_FAILED("RTMP_HANDSHAKE_FAILED"),
    /** The ingestion buffer overflowed. */
    BUFFER_OVERFLOW("BUFFER_OVERFLOW"),
    /** Not authorized to watch. */
    UNAUTHORIZED("UNAUTHORIZED"),
    /** Too many requests. */
    RATE_LIMITED("RATE_LIMITED"),
    /**
     * The viewer fell behind and lost messages. Not in the seed's list: it is how this server keeps the
     * seed's promise that a "client is notified if messages were dropped".
     */
    MESSAGES_DROPPED("MESSAGES_DROPPED"),
    /**
     * The server is shutting down; a close 1001 follows once the viewer's buffer is out. Not in the seed's
     * list: it tells a client to reconnect (to this or another node) rather than to give up.
     */
    SERVER_SHUTDOWN("SERVER_SHUTDOWN"),
    /**
     * The viewer's token is about to expire (sent ahead of its {@code exp}); the connection is closed with
     * 1008 at the expiry unless a {@link RefreshToken} brings a new token first. Not in the seed's list.
     */
    TOKEN_EXPIRED("TOKEN_EXPIRED"),
    /**
     * A {@link RefreshToken} was refused; the connection carries on with the token it had. Not in the seed's
     * list.
     */
    INVALID_TOKEN("INVALID_TOKEN");

    static final WireLookup<ErrorCode> WIRE = WireLookup.of(values());

    private final String wireName;

    ErrorCode(String wireName) {
        this.wireName = wireName;
    }

    @Override
    public String wireName() {
        return wireName;
    }

    /** The constant spelled {@code wireName} on the wire, if any; {@code null} gives empty. */
    public static Optional<ErrorCode> fromWire(String wireName) {
        return WIRE.find(wireName);
    }
}
