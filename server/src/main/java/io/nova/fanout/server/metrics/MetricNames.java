package io.nova.fanout.server.metrics;

/**
 * Every meter this server registers, in one place. Prometheus renders the dots as underscores and adds
 * {@code _total} to counters and {@code _seconds} to timers. No tag ever carries a viewer or stream id.
 */
public enum MetricNames {
    VIEWERS_CONNECTED("nova.viewers.connected", "Viewer WebSocket connections currently open"),
    STREAMS_LIVE("nova.streams.live", "Streams currently active"),
    HANDSHAKES("nova.handshakes", "Viewer handshakes by outcome (accepted or the refusal's error code)"),
    MESSAGES_SENT("nova.messages.sent", "Stream events written to viewer channels"),
    MESSAGES_DROPPED("nova.messages.dropped", "Stream events dropped from full viewer buffers"),
    VIEWERS_LAGGING("nova.viewers.lagging", "Viewers with stream events waiting in their buffer"),
    FANOUT_LATENCY("nova.fanout.latency",
            "From a stream event's acceptance to the flush that hands it to an event loop's viewers' sockets"),
    VIEWER_RTT("nova.viewer.rtt", "Round-trip time measured by ping/pong"),
    CLIENT_CLOSES("nova.client.closes", "Viewer connections closed by the server, by WebSocket close code"),
    VIEWER_ISSUES("nova.viewer.issues", "Issues reported by viewers, by issue type and severity"),
    TOKEN_REFRESHES("nova.token.refreshes", "refresh_token messages of viewers, by outcome"),
    TOKEN_EXPIRATIONS("nova.token.expirations", "Viewer connections closed because their token expired"),
    TLS_HANDSHAKE_FAILURES("nova.tls.handshake.failures",
            "TLS handshakes that failed, by port and reason (timeout, not_tls, closed, handshake)"),
    TLS_RELOADS("nova.tls.reloads", "Certificate reloads after a change on disk, by port and outcome (applied, failed)"),
    TLS_CERTIFICATE_EXPIRY("nova.tls.certificate.expiry.timestamp",
            "When the certificate each port serves expires, in seconds since the epoch"),
    JWKS_READS("nova.jwks.reads",
            "Reads of the JWKS (--jwks-url): at start, periodic and for unknown kids, by outcome (ok or failed)"),
    JWKS_KEYS("nova.jwks.keys", "Usable token verification keys in the JWKS as last read");

    private final String meterName;
    private final String description;

    MetricNames(String meterName, String description) {
        this.meterName = meterName;
        this.description = description;
    }

    public String meterName() {
        return meterName;
    }

    public String description() {
        return description;
    }
}
