package io.nova.fanout.server;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

import io.nova.fanout.server.auth.JwksKeys;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.handshake.AllowedOrigins;

/**
 * Everything the server can be told at start, validated once in {@link Builder#build()} so that the rest
 * of the server can trust every value. Immutable; create one with {@link #builder()}.
 */
public final class ServerConfig {
    private static final int DEFAULT_MAX_REQUEST_BODY_BYTES = 4 * 1024 * 1024;
    /** A 1,000-viewer stream keeps the 50 ms interval; a 10,000-viewer one is announced twice a second. */
    private static final int DEFAULT_VIEWER_COUNT_BUDGET = 20_000;

    public static Builder builder() {
        return new Builder();
    }

    private final String host;
    private final int port;
    private final String internalHost;
    private final int internalPort;
    private final byte[] jwtSecret;
    private final URI jwksUrl;
    private final Duration jwksRefresh;
    private final String jwtAudience;
    private final String jwtIssuer;
    private final Duration pingInterval;
    private final Duration pingTimeout;
    private final Duration idleTimeout;
    private final Duration viewerCountInterval;
    private final int viewerCountBudget;
    private final int bufferSize;
    private final int maxFrameBytes;
    private final int maxConnections;
    private final int ioThreads;
    private final Duration endGracePeriod;
    private final boolean demoStream;
    private final Duration shutdownGrace;
    private final List<String> allowedOrigins;
    private final int inboundRate;
    private final int inboundBurst;
    private final int maxConnectionsPerIp;
    private final int handshakeRatePerIp;
    private final int handshakeBurstPerIp;
    private final Duration tokenExpiryWarning;
    private final Duration handshakeTimeout;
    private final int writeBufferLowWaterMark;
    private final int writeBufferHighWaterMark;
    private final int maxRequestBodyBytes;
    private final Path tlsCert;
    private final Path tlsKey;
    private final Path internalTlsCert;
    private final Path internalTlsKey;
    private final Duration tlsReloadInterval;
    private final Clock clock;

    private ServerConfig(Builder builder) {
        host = builder.host;
        port = builder.port;
        internalHost = builder.internalHost;
        internalPort = builder.internalPort;
        jwtSecret = builder.jwtSecret;
        jwksUrl = builder.jwksLocation();
        jwksRefresh = builder.jwksRefresh;
        jwtAudience = builder.jwtAudience;
        jwtIssuer = builder.jwtIssuer;
        pingInterval = builder.pingInterval;
        pingTimeout = builder.pingTimeout;
        idleTimeout = builder.idleTimeout;
        viewerCountInterval = builder.viewerCountInterval;
        viewerCountBudget = builder.viewerCountBudget;
        bufferSize = builder.bufferSize;
        maxFrameBytes = builder.maxFrameBytes;
        maxConnections = builder.maxConnections;
        ioThreads = builder.ioThreads;
        endGracePeriod = builder.endGracePeriod;
        demoStream = builder.demoStream;
        shutdownGrace = builder.shutdownGrace;
        allowedOrigins = builder.allowedOrigins;
        inboundRate = builder.inboundRate;
        inboundBurst = builder.inboundBurst;
        maxConnectionsPerIp = builder.maxConnectionsPerIp;
        handshakeRatePerIp = builder.handshakeRatePerIp;
        handshakeBurstPerIp = builder.handshakeBurstPerIp;
        tokenExpiryWarning = builder.tokenExpiryWarning;
        handshakeTimeout = builder.handshakeTimeout;
        writeBufferLowWaterMark = builder.writeBufferLowWaterMark;
        writeBufferHighWaterMark = builder.writeBufferHighWaterMark;
        maxRequestBodyBytes = builder.effectiveMaxRequestBodyBytes();
        tlsCert = builder.tlsCert;
        tlsKey = builder.tlsKey;
        internalTlsCert = builder.internalTlsCert;
        internalTlsKey = builder.internalTlsKey;
        tlsReloadInterval = builder.tlsReloadInterval;
        clock = builder.clock;
    }

    /** The address viewers connect to. */
    public String host() {
        return host;
    }

    /** The viewer port; 0 asks the OS for a free one. */
    public int port() {
        return port;
    }

    /** The address of the internal (broadcaster and metrics) API. */
    public String internalHost() {
        return internalHost;
    }

    /** The internal API port; 0 asks the OS for a free one. */
    public int internalPort() {
        return internalPort;
    }

    /** A copy of the HS256 token secret, or {@code null}: then HS256 tokens are refused (or dev mode makes one up). */
    public byte[] jwtSecret() {
        return jwtSecret == null ? null : jwtSecret.clone();
    }

    /**
     * Where the RS256/ES256 keys are read from: an {@code https:}, {@code http:} or {@code file:} URL (a plain
     * path is turned into the last), or {@code null}: then RS256 and ES256 tokens are refused.
     */
    public URI jwksUrl() {
        return jwksUrl;
    }

    /** How often the JWKS is read again; see {@link JwksKeys#minInterval(Duration)} for reads on demand. */
    public Duration jwksRefresh() {
        return jwksRefresh;
    }

    /** The audience every token's {@code aud} must contain, or {@code null} not to check {@code aud}. */
    public String jwtAudience() {
        return jwtAudience;
    }

    /** The issuer every token's {@code iss} must be, or {@code null} not to check {@code iss}. */
    public String jwtIssuer() {
        return jwtIssuer;
    }

    /**
     * Whether no token key at all was configured, neither a secret nor a JWKS: then {@code nova-server} makes up
     * a secret for the run. A JWKS alone is not dev mode: HS256 is refused, and nothing is made up.
     */
    public boolean devMode() {
        return jwtSecret == null && jwksUrl == null;
    }

    /** How often a viewer is pinged. */
    public Duration pingInterval() {
        return pingInterval;
    }

    /** How long a viewer may take to answer a ping before it is disconnected. */
    public Duration pingTimeout() {
        return pingTimeout;
    }

    /** How long a viewer may stay silent before it is disconnected. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** The shortest time between two {@code viewer_count_changed} events of one stream. */
    public Duration viewerCountInterval() {
        return viewerCountInterval;
    }

    /**
     * How many {@code viewer_count_changed} messages one stream may send per second, summed over its
     * viewers on this node; 0 for no limit. A large audience's counts are announced less often than
     * {@link #viewerCountInterval()} so that they stay within it.
     */
    public int viewerCountBudget() {
        return viewerCountBudget;
    }

    /** How many frames a viewer's outbox keeps while its channel is not writable. */
    public int bufferSize() {
        return bufferSize;
    }

    /** The largest WebSocket frame accepted or sent. */
    public int maxFrameBytes() {
        return maxFrameBytes;
    }

    /** How many viewers may be connected at once. */
    public int maxConnections() {
        return maxConnections;
    }

    /** The number of event loops; 0 lets Netty choose (twice the number of cores). */
    public int ioThreads() {
        return ioThreads;
    }

    /** How long a viewer's outbox may drain after {@code stream_ended} before the close with 1000. */
    public Duration endGracePeriod() {
        return endGracePeriod;
    }

    /**
     * How long viewers may drain their buffers once a shutdown began, after {@code SERVER_SHUTDOWN} and
     * before their close 1001.
     */
    public Duration shutdownGrace() {
        return shutdownGrace;
    }

    /** Messages a second a viewer may send, on average; see {@link #inboundBurst()}. */
    public int inboundRate() {
        return inboundRate;
    }

    /** Messages a viewer may send at once; beyond the rate and the burst they are ignored (RATE_LIMITED). */
    public int inboundBurst() {
        return inboundBurst;
    }

    /** Most connections open at once to the viewer port from one address (an IPv6 /64); 0 for no limit. */
    public int maxConnectionsPerIp() {
        return maxConnectionsPerIp;
    }

    /** Viewer handshakes a second one address (an IPv6 /64) may make, on average; 0 for no limit. */
    public int handshakeRatePerIp() {
        return handshakeRatePerIp;
    }

    /** Viewer handshakes one address may make at once above {@link #handshakeRatePerIp()}. */
    public int handshakeBurstPerIp() {
        return handshakeBurstPerIp;
    }

    /**
     * How long before its token's {@code exp} a connected viewer is sent {@code TOKEN_EXPIRED}, so that it can
     * send a new one before it is closed (at {@code exp} plus the token clock skew).
     */
    public Duration tokenExpiryWarning() {
        return tokenExpiryWarning;
    }

    /** The origins whose pages may connect as viewers: {@code ["*"]} for all; see {@link AllowedOrigins}. */
    public List<String> allowedOrigins() {
        return allowedOrigins;
    }

    /** Whether the server keeps a simulated broadcaster's stream, {@code demo-live}, live from its start. */
    public boolean demoStream() {
        return demoStream;
    }

    /** How long a connection may take from accept to a completed WebSocket upgrade. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /** The outbound buffer size below which a non-writable viewer channel becomes writable again. */
    public int writeBufferLowWaterMark() {
        return writeBufferLowWaterMark;
    }

    /** The outbound buffer size above which a viewer channel stops being writable. */
    public int writeBufferHighWaterMark() {
        return writeBufferHighWaterMark;
    }

    /** The largest request body the internal API accepts. */
    public int maxRequestBodyBytes() {
        return maxRequestBodyBytes;
    }

    /** The viewer port's PEM certificate chain, server certificate first; {@code null} for plain {@code ws://}. */
    public Path tlsCert() {
        return tlsCert;
    }

    /** The PEM private key of {@link #tlsCert()}; set exactly when it is. */
    public Path tlsKey() {
        return tlsKey;
    }

    /** Whether the viewer port speaks TLS ({@code wss://}, {@code https://}). */
    public boolean viewerTls() {
        return tlsCert != null;
    }

    /** The internal port's PEM certificate chain; {@code null} for plain {@code http://}. */
    public Path internalTlsCert() {
        return internalTlsCert;
    }

    /** The PEM private key of {@link #internalTlsCert()}; set exactly when it is. */
    public Path internalTlsKey() {
        return internalTlsKey;
    }

    /** Whether the internal port speaks TLS. */
    public boolean internalTls() {
        return internalTlsCert != null;
    }

    /** How often the certificate and key files are checked for changes; zero never checks. */
    public Duration tlsReloadInterval() {
        return tlsReloadInterval;
    }

    /** The clock for token expiry and timestamps; fixed or offset in tests. */
    public Clock clock() {
        return clock;
    }

    /** A builder holding this configuration's values, to derive a changed copy. */
    public Builder toBuilder() {
        return new Builder()
                .host(host).port(port)
                .internalHost(internalHost).internalPort(internalPort)
                .jwtSecret(jwtSecret)
                .jwksUrl(jwksUrl == null ? null : jwksUrl.toString()).jwksRefresh(jwksRefresh)
                .jwtAudience(jwtAudience).jwtIssuer(jwtIssuer)
                .pingInterval(pingInterval).pingTimeout(pingTimeout).idleTimeout(idleTimeout)
                .viewerCountInterval(viewerCountInterval).viewerCountBudget(viewerCountBudget)
                .bufferSize(bufferSize).maxFrameBytes(maxFrameBytes)
                .maxConnections(maxConnections).ioThreads(ioThreads)
                .endGracePeriod(endGracePeriod).shutdownGrace(shutdownGrace).demoStream(demoStream)
                .allowedOrigins(allowedOrigins).inboundRate(inboundRate, inboundBurst)
                .maxConnectionsPerIp(maxConnectionsPerIp).handshakeRatePerIp(handshakeRatePerIp, handshakeBurstPerIp)
                .tokenExpiryWarning(tokenExpiryWarning)
                .handshakeTimeout(handshakeTimeout)
                .writeBufferWaterMarks(writeBufferLowWaterMark, writeBufferHighWaterMark)
                .maxRequestBodyBytes(maxRequestBodyBytes)
                .tls(tlsCert, tlsKey).internalTls(internalTlsCert, internalTlsKey)
                .tlsReloadInterval(tlsReloadInterval)
                .clock(clock);
    }

    /** Shows every value except the secret, so that the configuration can be logged. */
    @Override
    public String toString() {
        return "ServerConfig{host=" + host + ", port=" + port +
               ", internalHost=" + internalHost + ", internalPort=" + internalPort +
               ", jwtSecret=" + (jwtSecret == null ? (devMode() ? "none (dev mode)" : "none") : "<redacted>") +
               ", jwksUrl=" + (jwksUrl == null ? "none" : JwksKeys.describe(jwksUrl)) +
               ", jwksRefresh=" + Durations.format(jwksRefresh) +
               ", jwtAudience=" + (jwtAudience == null ? "none" : jwtAudience) +
               ", jwtIssuer=" + (jwtIssuer == null ? "none" : jwtIssuer) +
               ", pingInterval=" + Durations.format(pingInterval) +
               ", pingTimeout=" + Durations.format(pingTimeout) +
               ", idleTimeout=" + Durations.format(idleTimeout) +
               ", viewerCountInterval=" + Durations.format(viewerCountInterval) +
               ", viewerCountBudget=" + viewerCountBudget +
               ", bufferSize=" + bufferSize + ", maxFrameBytes=" + maxFrameBytes +
               ", maxConnections=" + maxConnections + ", ioThreads=" + ioThreads +
               ", endGracePeriod=" + Durations.format(endGracePeriod) +
               ", shutdownGrace=" + Durations.format(shutdownGrace) +
               ", demoStream=" + demoStream +
               ", allowedOrigins=" + String.join(",", allowedOrigins) +
               ", inboundRate=" + inboundRate + "/s, burst " + inboundBurst +
               ", maxConnectionsPerIp=" + maxConnectionsPerIp +
               ", handshakeRatePerIp=" + handshakeRatePerIp + "/s, burst " + handshakeBurstPerIp +
               ", tokenExpiryWarning=" + Durations.format(tokenExpiryWarning) +
               ", handshakeTimeout=" + Durations.format(handshakeTimeout) +
               ", writeBufferWaterMarks=" + writeBufferLowWaterMark + ".." + writeBufferHighWaterMark +
               ", maxRequestBodyBytes=" + maxRequestBodyBytes +
               ", tlsCert=" + orNone(tlsCert) + ", tlsKey=" + orNone(tlsKey) +
               ", internalTlsCert=" + orNone(internalTlsCert) + ", internalTlsKey=" + orNone(internalTlsKey) +
               ", tlsReloadInterval=" + Durations.format(tlsReloadInterval) + ", clock=" + clock + '}';
    }

    private static String orNone(Path path) {
        return path == null ? "none" : path.toString();
    }

    /** Starts from the defaults; {@link #build()} validates, the setters only reject {@code null}. */
    public static final class Builder {

        private String host = "0.0.0.0";
        private int port = 8080;
        private String internalHost = "127.0.0.1";
        private int internalPort = 8081;
        private byte[] jwtSecret;
        private String jwksUrl;
        private Duration jwksRefresh = Duration.ofMinutes(5);
        private String jwtAudience;
        private String jwtIssuer;
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration pingTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration viewerCountInterval = Duration.ofMillis(50);
        private int viewerCountBudget = DEFAULT_VIEWER_COUNT_BUDGET;
        private int bufferSize = 100;
        private int maxFrameBytes = 256 * 1024;
        private int maxConnections = 100_000;
        private int ioThreads;
        private Duration endGracePeriod = Duration.ofSeconds(5);
        private boolean demoStream;
        private Duration shutdownGrace = Duration.ofSeconds(10);
        private List<String> allowedOrigins = List.of(AllowedOrigins.ANY);
        private int inboundRate = 10;
        private int inboundBurst = 20;
        private int maxConnectionsPerIp = 1000;
        private int handshakeRatePerIp = 20;
        private int handshakeBurstPerIp = 100;
        private Duration tokenExpiryWarning = Duration.ofSeconds(30);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int writeBufferLowWaterMark = 32 * 1024;
        private int writeBufferHighWaterMark = 64 * 1024;
        /** 0 until set: then 4 MiB, or the frame limit if that is larger, so one full event always fits. */
        private int maxRequestBodyBytes;
        private Path tlsCert;
        private Path tlsKey;
        private Path internalTlsCert;
        private Path internalTlsKey;
        private Duration tlsReloadInterval = Duration.ofSeconds(10);
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        public Builder host(String host) {
            this.host = requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder internalHost(String internalHost) {
            this.internalHost = requireNonNull(internalHost, "internalHost");
            return this;
        }

        public Builder internalPort(int internalPort) {
            this.internalPort = internalPort;
            return this;
        }

        /** Sets the HS256 token secret (copied), or {@code null} for dev mode. */
        public Builder jwtSecret(byte[] jwtSecret) {
            this.jwtSecret = jwtSecret == null ? null : jwtSecret.clone();
            return this;
        }

        /** Sets where the RS256/ES256 keys come from ({@code https:}, {@code http:}, {@code file:} or a path), or {@code null}. */
        public Builder jwksUrl(String jwksUrl) {
            this.jwksUrl = jwksUrl;
            return this;
        }

        public Builder jwksRefresh(Duration jwksRefresh) {
            this.jwksRefresh = requireNonNull(jwksRefresh, "jwksRefresh");
            return this;
        }

        /** Sets the audience every token must name, or {@code null} not to check {@code aud}. */
        public Builder jwtAudience(String jwtAudience) {
            this.jwtAudience = jwtAudience;
            return this;
        }

        /** Sets the issuer every token must name, or {@code null} not to check {@code iss}. */
        public Builder jwtIssuer(String jwtIssuer) {
            this.jwtIssuer = jwtIssuer;
            return this;
        }

        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = requireNonNull(pingInterval, "pingInterval");
            return this;
        }

        public Builder pingTimeout(Duration pingTimeout) {
            this.pingTimeout = requireNonNull(pingTimeout, "pingTimeout");
            return this;
        }

        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = requireNonNull(idleTimeout, "idleTimeout");
            return this;
        }

        public Builder viewerCountInterval(Duration viewerCountInterval) {
            this.viewerCountInterval = requireNonNull(viewerCountInterval, "viewerCountInterval");
            return this;
        }

        public Builder viewerCountBudget(int viewerCountBudget) {
            this.viewerCountBudget = viewerCountBudget;
            return this;
        }

        public Builder bufferSize(int bufferSize) {
            this.bufferSize = bufferSize;
            return this;
        }

        public Builder maxFrameBytes(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
            return this;
        }

        public Builder maxConnections(int maxConnections) {
            this.maxConnections = maxConnections;
            return this;
        }

        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = requireNonNull(shutdownGrace, "shutdownGrace");
            return this;
        }

        public Builder allowedOrigins(List<String> allowedOrigins) {
            this.allowedOrigins = List.copyOf(requireNonNull(allowedOrigins, "allowedOrigins"));
            return this;
        }

        public Builder inboundRate(int perSecond, int burst) {
            this.inboundRate = perSecond;
            this.inboundBurst = burst;
            return this;
        }

        /** @param maxConnectionsPerIp 0 for no limit */
        public Builder maxConnectionsPerIp(int maxConnectionsPerIp) {
            this.maxConnectionsPerIp = maxConnectionsPerIp;
            return this;
        }

        /** @param perSecond 0 for no limit */
        public Builder handshakeRatePerIp(int perSecond, int burst) {
            this.handshakeRatePerIp = perSecond;
            this.handshakeBurstPerIp = burst;
            return this;
        }

        public Builder tokenExpiryWarning(Duration tokenExpiryWarning) {
            this.tokenExpiryWarning = requireNonNull(tokenExpiryWarning, "tokenExpiryWarning");
            return this;
        }

        public Builder demoStream(boolean demoStream) {
            this.demoStream = demoStream;
            return this;
        }

        public Builder endGracePeriod(Duration endGracePeriod) {
            this.endGracePeriod = requireNonNull(endGracePeriod, "endGracePeriod");
            return this;
        }

        public Builder handshakeTimeout(Duration handshakeTimeout) {
            this.handshakeTimeout = requireNonNull(handshakeTimeout, "handshakeTimeout");
            return this;
        }

        /** Both marks at once, because each is only valid relative to the other. */
        public Builder writeBufferWaterMarks(int low, int high) {
            writeBufferLowWaterMark = low;
            writeBufferHighWaterMark = high;
            return this;
        }

        public Builder maxRequestBodyBytes(int maxRequestBodyBytes) {
            this.maxRequestBodyBytes = maxRequestBodyBytes;
            return this;
        }

        /** The viewer port's certificate chain and key files, both or neither ({@code null}: plain). */
        public Builder tls(Path certificate, Path key) {
            tlsCert = certificate;
            tlsKey = key;
            return this;
        }

        /** The internal port's certificate chain and key files, both or neither ({@code null}: plain). */
        public Builder internalTls(Path certificate, Path key) {
            internalTlsCert = certificate;
            internalTlsKey = key;
            return this;
        }

        public Builder tlsReloadInterval(Duration tlsReloadInterval) {
            this.tlsReloadInterval = requireNonNull(tlsReloadInterval, "tlsReloadInterval");
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @throws IllegalArgumentException naming the first invalid field, its value and what was expected,
         *         e.g. {@code bufferSize: 0 (expected: 1..100000)}
         */
        public ServerConfig build() {
            checkHost("host", host);
            checkRange("port", port, 0, 65_535);
            checkHost("internalHost", internalHost);
            checkRange("internalPort", internalPort, 0, 65_535);
            if (jwtSecret != null && jwtSecret.length < TokenVerifier.MIN_SECRET_BYTES) {
                throw new IllegalArgumentException("jwtSecret: " + jwtSecret.length + " bytes (expected: >= " +
                                                   TokenVerifier.MIN_SECRET_BYTES + " bytes)");
            }
            jwksLocation(); // throws naming what is wrong with the URL
            checkRange("jwksRefresh", jwksRefresh, Duration.ofSeconds(1), Duration.ofHours(24));
            check(jwtAudience == null || !jwtAudience.isBlank(),
                  "jwtAudience: '" + jwtAudience + "' (expected: non-blank, or unset not to check aud)");
            check(jwtIssuer == null || !jwtIssuer.isBlank(),
                  "jwtIssuer: '" + jwtIssuer + "' (expected: non-blank, or unset not to check iss)");
            checkRange("pingInterval", pingInterval, Duration.ofMillis(100), Duration.ofHours(1));
            checkRange("pingTimeout", pingTimeout, Duration.ofMillis(50), Duration.ofMinutes(10));
            checkRange("idleTimeout", idleTimeout, Duration.ofMillis(100), Duration.ofHours(24));
            // A client that only answers pings must outlive the idle timeout between two pings.
            check(idleTimeout.compareTo(pingInterval) > 0, "idleTimeout: " + Durations.format(idleTimeout)
                    + " (expected: > pingInterval (" + Durations.format(pingInterval) + "))");
            checkRange("viewerCountInterval", viewerCountInterval, Duration.ofMillis(10), Duration.ofSeconds(1));
            check(viewerCountBudget == 0 || (viewerCountBudget >= 100 && viewerCountBudget <= 1_000_000_000),
                  "viewerCountBudget: " + viewerCountBudget + " (expected: 0 for no limit, or 100..1000000000)");
            checkRange("bufferSize", bufferSize, 1, 100_000);
            checkRange("maxFrameBytes", maxFrameBytes, 1024, 16 * 1024 * 1024);
            checkRange("maxConnections", maxConnections, 1, 10_000_000);
            checkRange("ioThreads", ioThreads, 0, 1024);
            checkRange("endGracePeriod", endGracePeriod, Duration.ZERO, Duration.ofMinutes(5));
            checkRange("shutdownGrace", shutdownGrace, Duration.ZERO, Duration.ofMinutes(5));
            AllowedOrigins.of(allowedOrigins); // throws naming the first entry that is not an origin
            checkRange("inboundRate", inboundRate, 1, 1_000_000);
            checkRange("inboundBurst", inboundBurst, 1, 1_000_000);
            checkRange("maxConnectionsPerIp", maxConnectionsPerIp, 0, 10_000_000);
            checkRange("handshakeRatePerIp", handshakeRatePerIp, 0, 1_000_000);
            checkRange("handshakeBurstPerIp", handshakeBurstPerIp, 1, 1_000_000);
            checkRange("tokenExpiryWarning", tokenExpiryWarning, Duration.ZERO, Duration.ofHours(24));
            checkRange("handshakeTimeout", handshakeTimeout, Duration.ofMillis(100), Duration.ofMinutes(5));
            check(writeBufferLowWaterMark >= 1024,
                  "writeBufferLowWaterMark: " + writeBufferLowWaterMark + " (expected: >= 1024)");
            check(writeBufferHighWaterMark > writeBufferLowWaterMark,
                  "writeBufferHighWaterMark: " + writeBufferHighWaterMark +
                  " (expected: > writeBufferLowWaterMark (" + writeBufferLowWaterMark + "))");
            check(effectiveMaxRequestBodyBytes() >= maxFrameBytes,
                  "maxRequestBodyBytes: " + maxRequestBodyBytes +
                  " (expected: >= maxFrameBytes (" + maxFrameBytes + "))");
            checkPair("tlsCert", tlsCert, "tlsKey", tlsKey);
            checkPair("internalTlsCert", internalTlsCert, "internalTlsKey", internalTlsKey);
            check(tlsReloadInterval.isZero() || tlsReloadInterval.compareTo(Duration.ofMillis(100)) >= 0
                  && tlsReloadInterval.compareTo(Duration.ofHours(24)) <= 0,
                  "tlsReloadInterval: " + Durations.format(tlsReloadInterval) +
                  " (expected: 0s to never reload, or 100ms..24h)");
            return new ServerConfig(this);
        }

        /** {@link #jwksUrl} as a URI, a path turned into an absolute {@code file:} URL; {@code null} if unset. */
        private URI jwksLocation() {
            if (jwksUrl == null) {
                return null;
            }
            final String expected = "jwksUrl: '" + jwksUrl + "' (expected: an https:// or http:// URL, a file: URL " +
                                    "or a file path)";
            check(!jwksUrl.isBlank(), expected);
            // A scheme of one letter is a Windows drive, i.e. a path.
            if (!jwksUrl.matches("[A-Za-z][A-Za-z0-9+.-]+:.*")) {
                try {
                    return Path.of(jwksUrl).toAbsolutePath().toUri();
                } catch (InvalidPathException e) {
                    throw new IllegalArgumentException(expected, e);
                }
            }
            final URI uri;
            try {
                uri = new URI(jwksUrl);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException(expected, e);
            }
            switch (uri.getScheme().toLowerCase(Locale.ROOT)) {
                case "https", "http" -> check(uri.getHost() != null && uri.getRawFragment() == null, expected);
                case "file" -> {
                    check(!uri.isOpaque() && uri.getPath() != null && uri.getPath().startsWith("/"), expected);
                    try {
                        Path.of(uri);
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(expected, e);
                    }
                }
                default -> check(false, expected);
            }
            return uri;
        }

        private int effectiveMaxRequestBodyBytes() {
            return maxRequestBodyBytes != 0 ? maxRequestBodyBytes : Math.max(DEFAULT_MAX_REQUEST_BODY_BYTES, maxFrameBytes);
        }

        /** A certificate is useless without its key, and a key without its certificate. */
        private static void checkPair(String certName, Path cert, String keyName, Path key) {
            check(cert != null || key == null,
                  certName + ": none (expected: a PEM certificate file, since " + keyName + " is set)");
            check(key != null || cert == null,
                  keyName + ": none (expected: a PEM private key file, since " + certName + " is set)");
        }

        private static void checkHost(String name, String value) {
            check(!value.isBlank(), name + ": '" + value + "' (expected: a host name or IP address)");
        }

        private static void checkRange(String name, int value, int min, int max) {
            check(value >= min && value <= max, name + ": " + value + " (expected: " + min + ".." + max + ')');
        }

        private static void checkRange(String name, Duration value, Duration min, Duration max) {
            check(value.compareTo(min) >= 0 && value.compareTo(max) <= 0,
                  name + ": " + Durations.format(value) +
                  " (expected: " + Durations.format(min) + ".." + Durations.format(max) + ')');
        }

        private static void check(boolean valid, String message) {
            if (!valid) {
                throw new IllegalArgumentException(message);
            }
        }
    }
}
