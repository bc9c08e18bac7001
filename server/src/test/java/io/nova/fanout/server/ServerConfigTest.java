package io.nova.fanout.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ServerConfigTest {

    private static final byte[] SECRET = "a-secret-of-exactly-32-bytes-!!!".getBytes(UTF_8);
    private static final String JWKS_EXPECTED = "(expected: an https:// or http:// URL, a file: URL or a file path)";

    @Test
    void defaults() {
        final ServerConfig config = ServerConfig.builder().build();
        assertThat(config.host()).isEqualTo("0.0.0.0");
        assertThat(config.port()).isEqualTo(8080);
        assertThat(config.internalHost()).isEqualTo("127.0.0.1");
        assertThat(config.internalPort()).isEqualTo(8081);
        assertThat(config.jwtSecret()).isNull();
        assertThat(config.devMode()).isTrue();
        assertThat(config.jwksUrl()).isNull();
        assertThat(config.jwksRefresh()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.jwtAudience()).isNull();
        assertThat(config.jwtIssuer()).isNull();
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.pingTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.viewerCountInterval()).isEqualTo(Duration.ofMillis(50));
        assertThat(config.viewerCountBudget()).isEqualTo(20_000);
        assertThat(config.bufferSize()).isEqualTo(100);
        assertThat(config.maxFrameBytes()).isEqualTo(262_144);
        assertThat(config.maxConnections()).isEqualTo(100_000);
        assertThat(config.ioThreads()).isZero();
        assertThat(config.endGracePeriod()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.allowedOrigins()).containsExactly("*");
        assertThat(config.inboundRate()).isEqualTo(10);
        assertThat(config.inboundBurst()).isEqualTo(20);
        assertThat(config.maxConnectionsPerIp()).isEqualTo(1000);
        assertThat(config.handshakeRatePerIp()).isEqualTo(20);
        assertThat(config.handshakeBurstPerIp()).isEqualTo(100);
        assertThat(config.tokenExpiryWarning()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.handshakeTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.writeBufferLowWaterMark()).isEqualTo(32 * 1024);
        assertThat(config.writeBufferHighWaterMark()).isEqualTo(64 * 1024);
        assertThat(config.maxRequestBodyBytes()).isEqualTo(4 * 1024 * 1024);
        assertThat(config.tlsCert()).isNull();
        assertThat(config.tlsKey()).isNull();
        assertThat(config.viewerTls()).isFalse();
        assertThat(config.internalTlsCert()).isNull();
        assertThat(config.internalTlsKey()).isNull();
        assertThat(config.internalTls()).isFalse();
        assertThat(config.tlsReloadInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.clock()).isEqualTo(Clock.systemUTC());
    }

    static Stream<Arguments> invalidValues() {
        return Stream.of(
                invalid(b -> b.host(" "), "host: ' ' (expected: a host name or IP address)"),
                invalid(b -> b.port(-1), "port: -1 (expected: 0..65535)"),
                invalid(b -> b.port(65_536), "port: 65536 (expected: 0..65535)"),
                invalid(b -> b.internalHost(""), "internalHost: '' (expected: a host name or IP address)"),
                invalid(b -> b.internalPort(70_000), "internalPort: 70000 (expected: 0..65535)"),
                invalid(b -> b.jwtSecret(new byte[12]), "jwtSecret: 12 bytes (expected: >= 32 bytes)"),
                invalid(b -> b.jwtSecret(new byte[0]), "jwtSecret: 0 bytes (expected: >= 32 bytes)"),
                invalid(b -> b.jwksUrl("ftp://idp.example/jwks"), "jwksUrl: 'ftp://idp.example/jwks' " + JWKS_EXPECTED),
                invalid(b -> b.jwksUrl("https:///jwks"), "jwksUrl: 'https:///jwks' " + JWKS_EXPECTED),
                invalid(b -> b.jwksUrl("https://idp.example/jwks#keys"), "jwksUrl: 'https://idp.example/jwks#keys' " + JWKS_EXPECTED),
                invalid(b -> b.jwksUrl("file:jwks.json"), "jwksUrl: 'file:jwks.json' " + JWKS_EXPECTED),
                invalid(b -> b.jwksUrl("file://host/jwks.json"), "jwksUrl: 'file://host/jwks.json' " + JWKS_EXPECTED),
                invalid(b -> b.jwksUrl("https://idp example/jwks"), "jwksUrl: 'https://idp example/jwks' " + JWKS_EXPECTED),
                invalid(b -> b.jwksUrl(" "), "jwksUrl: ' ' " + JWKS_EXPECTED),
                invalid(b -> b.jwksUrl("bad\u0000path"), "jwksUrl: 'bad\u0000path' " + JWKS_EXPECTED),
                invalid(b -> b.jwksRefresh(Duration.ofMillis(999)), "jwksRefresh: 999ms (expected: 1s..24h)"),
                invalid(b -> b.jwksRefresh(Duration.ofHours(25)), "jwksRefresh: 25h (expected: 1s..24h)"),
                invalid(b -> b.jwtAudience(""), "jwtAudience: '' (expected: non-blank, or unset not to check aud)"),
                invalid(b -> b.jwtIssuer(" "), "jwtIssuer: ' ' (expected: non-blank, or unset not to check iss)"),
                invalid(b -> b.pingInterval(Duration.ofMillis(99)), "pingInterval: 99ms (expected: 100ms..1h)"),
                invalid(b -> b.pingInterval(Duration.ofMinutes(61)), "pingInterval: 61m (expected: 100ms..1h)"),
                invalid(b -> b.pingTimeout(Duration.ofMillis(49)), "pingTimeout: 49ms (expected: 50ms..10m)"),
                invalid(b -> b.pingTimeout(Duration.ofMinutes(11)), "pingTimeout: 11m (expected: 50ms..10m)"),
                invalid(b -> b.pingInterval(Duration.ofSeconds(30)).idleTimeout(Duration.ofSeconds(30)),
                        "idleTimeout: 30s (expected: > pingInterval (30s))"),
                invalid(b -> b.idleTimeout(Duration.ZERO), "idleTimeout: 0s (expected: 100ms..24h)"),
                invalid(b -> b.idleTimeout(Duration.ofHours(25)), "idleTimeout: 25h (expected: 100ms..24h)"),
                invalid(b -> b.viewerCountInterval(Duration.ofMillis(5)),
                        "viewerCountInterval: 5ms (expected: 10ms..1s)"),
                invalid(b -> b.viewerCountInterval(Duration.ofMillis(1001)),
                        "viewerCountInterval: 1001ms (expected: 10ms..1s)"),
                invalid(b -> b.viewerCountBudget(99),
                        "viewerCountBudget: 99 (expected: 0 for no limit, or 100..1000000000)"),
                invalid(b -> b.viewerCountBudget(-1),
                        "viewerCountBudget: -1 (expected: 0 for no limit, or 100..1000000000)"),
                invalid(b -> b.viewerCountBudget(1_000_000_001),
                        "viewerCountBudget: 1000000001 (expected: 0 for no limit, or 100..1000000000)"),
                invalid(b -> b.shutdownGrace(Duration.ofMinutes(6)), "shutdownGrace: 6m (expected: 0s..5m)"),
                invalid(b -> b.inboundRate(0, 20), "inboundRate: 0 (expected: 1..1000000)"),
                invalid(b -> b.inboundRate(10, 0), "inboundBurst: 0 (expected: 1..1000000)"),
                invalid(b -> b.maxConnectionsPerIp(-1), "maxConnectionsPerIp: -1 (expected: 0..10000000)"),
                invalid(b -> b.handshakeRatePerIp(-1, 100), "handshakeRatePerIp: -1 (expected: 0..1000000)"),
                invalid(b -> b.handshakeRatePerIp(1_000_001, 100), "handshakeRatePerIp: 1000001 (expected: 0..1000000)"),
                invalid(b -> b.handshakeRatePerIp(20, 0), "handshakeBurstPerIp: 0 (expected: 1..1000000)"),
                invalid(b -> b.tokenExpiryWarning(Duration.ofSeconds(-1)),
                        "tokenExpiryWarning: -1s (expected: 0s..24h)"),
                invalid(b -> b.tokenExpiryWarning(Duration.ofHours(25)), "tokenExpiryWarning: 25h (expected: 0s..24h)"),
                invalid(b -> b.allowedOrigins(java.util.List.of("example.com")), "allowedOrigins: example.com "
                        + "(expected: an origin such as https://player.example.com or http://127.0.0.1:8080, or *)"),
                invalid(b -> b.bufferSize(0), "bufferSize: 0 (expected: 1..100000)"),
                invalid(b -> b.bufferSize(100_001), "bufferSize: 100001 (expected: 1..100000)"),
                invalid(b -> b.maxFrameBytes(1023), "maxFrameBytes: 1023 (expected: 1024..16777216)"),
                invalid(b -> b.maxFrameBytes(16_777_217), "maxFrameBytes: 16777217 (expected: 1024..16777216)"),
                invalid(b -> b.maxConnections(0), "maxConnections: 0 (expected: 1..10000000)"),
                invalid(b -> b.maxConnections(10_000_001), "maxConnections: 10000001 (expected: 1..10000000)"),
                invalid(b -> b.ioThreads(-1), "ioThreads: -1 (expected: 0..1024)"),
                invalid(b -> b.ioThreads(1025), "ioThreads: 1025 (expected: 0..1024)"),
                invalid(b -> b.endGracePeriod(Duration.ofMillis(-1)), "endGracePeriod: -1ms (expected: 0s..5m)"),
                invalid(b -> b.endGracePeriod(Duration.ofSeconds(301)), "endGracePeriod: 301s (expected: 0s..5m)"),
                invalid(b -> b.handshakeTimeout(Duration.ofMillis(99)),
                        "handshakeTimeout: 99ms (expected: 100ms..5m)"),
                invalid(b -> b.handshakeTimeout(Duration.ofMinutes(6)), "handshakeTimeout: 6m (expected: 100ms..5m)"),
                invalid(b -> b.writeBufferWaterMarks(1023, 64 * 1024),
                        "writeBufferLowWaterMark: 1023 (expected: >= 1024)"),
                invalid(b -> b.writeBufferWaterMarks(4096, 4096),
                        "writeBufferHighWaterMark: 4096 (expected: > writeBufferLowWaterMark (4096))"),
                invalid(b -> b.maxFrameBytes(65_536).maxRequestBodyBytes(65_535),
                        "maxRequestBodyBytes: 65535 (expected: >= maxFrameBytes (65536))"),
                invalid(b -> b.tls(Path.of("cert.pem"), null),
                        "tlsKey: none (expected: a PEM private key file, since tlsCert is set)"),
                invalid(b -> b.tls(null, Path.of("key.pem")),
                        "tlsCert: none (expected: a PEM certificate file, since tlsKey is set)"),
                invalid(b -> b.internalTls(Path.of("cert.pem"), null),
                        "internalTlsKey: none (expected: a PEM private key file, since internalTlsCert is set)"),
                invalid(b -> b.internalTls(null, Path.of("key.pem")),
                        "internalTlsCert: none (expected: a PEM certificate file, since internalTlsKey is set)"),
                invalid(b -> b.tlsReloadInterval(Duration.ofMillis(99)),
                        "tlsReloadInterval: 99ms (expected: 0s to never reload, or 100ms..24h)"),
                invalid(b -> b.tlsReloadInterval(Duration.ofHours(25)),
                        "tlsReloadInterval: 25h (expected: 0s to never reload, or 100ms..24h)"),
                invalid(b -> b.tlsReloadInterval(Duration.ofSeconds(-1)),
                        "tlsReloadInterval: -1s (expected: 0s to never reload, or 100ms..24h)"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("invalidValues")
    void buildRefusesInvalidValue(UnaryOperator<ServerConfig.Builder> change, String message) {
        assertThatThrownBy(() -> change.apply(ServerConfig.builder()).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    @Test
    void boundariesAreAccepted() {
        ServerConfig.builder()
                    .port(0).internalPort(65_535)
                    .jwtSecret(new byte[32])
                    .pingInterval(Duration.ofMillis(100)).pingTimeout(Duration.ofMinutes(10))
                    .idleTimeout(Duration.ofHours(24))
                    .viewerCountInterval(Duration.ofMillis(10))
                    .bufferSize(100_000).maxFrameBytes(1024).maxConnections(1).ioThreads(1024)
                    .endGracePeriod(Duration.ZERO).handshakeTimeout(Duration.ofMinutes(5))
                    .writeBufferWaterMarks(1024, 1025)
                    .maxRequestBodyBytes(1024)
                    .build();
        ServerConfig.builder().viewerCountInterval(Duration.ofSeconds(1)).viewerCountBudget(1_000_000_000).build();
        ServerConfig.builder().viewerCountBudget(0).build();
        ServerConfig.builder().viewerCountBudget(100).build();
        ServerConfig.builder().tlsReloadInterval(Duration.ZERO).build();
        ServerConfig.builder().tlsReloadInterval(Duration.ofMillis(100)).build();
        ServerConfig.builder().tlsReloadInterval(Duration.ofHours(24)).build();
        ServerConfig.builder().tls(Path.of("c.pem"), Path.of("k.pem")).internalTls(Path.of("c.pem"), Path.of("k.pem"))
                .build();
        ServerConfig.builder().jwksUrl("https://idp.example/jwks").jwksRefresh(Duration.ofSeconds(1)).build();
        ServerConfig.builder().jwksUrl("https://idp.example/jwks").jwksRefresh(Duration.ofHours(24)).build();
    }

    @Test
    void jwksUrlTakesHttpsHttpFileUrlsAndPaths() {
        assertThat(ServerConfig.builder().jwksUrl("https://idp.example/.well-known/jwks.json").build().jwksUrl())
                .isEqualTo(URI.create("https://idp.example/.well-known/jwks.json"));
        assertThat(ServerConfig.builder().jwksUrl("http://127.0.0.1:9000/jwks").build().jwksUrl())
                .isEqualTo(URI.create("http://127.0.0.1:9000/jwks"));
        assertThat(ServerConfig.builder().jwksUrl("file:///etc/nova/jwks.json").build().jwksUrl())
                .isEqualTo(URI.create("file:///etc/nova/jwks.json"));
        assertThat(ServerConfig.builder().jwksUrl("/etc/nova/jwks.json").build().jwksUrl())
                .isEqualTo(Path.of("/etc/nova/jwks.json").toUri());
        assertThat(ServerConfig.builder().jwksUrl("conf/jwks.json").build().jwksUrl())
                .as("a relative path is resolved now, against the working directory")
                .isEqualTo(Path.of("conf/jwks.json").toAbsolutePath().toUri());
    }

    /** A JWKS alone is a production setup: no secret is made up, and HS256 is refused. */
    @Test
    void aJwksAloneIsNotDevMode() {
        final ServerConfig jwksOnly = ServerConfig.builder().jwksUrl("https://idp.example/jwks").build();
        assertThat(jwksOnly.devMode()).isFalse();
        assertThat(jwksOnly.jwtSecret()).isNull();
        assertThat(jwksOnly.toString()).contains("jwtSecret=none,", "jwksUrl=https://idp.example/jwks")
                .doesNotContain("dev mode");
        assertThat(ServerConfig.builder().jwksUrl("https://idp.example/jwks").jwtSecret(SECRET).build().devMode()).isFalse();
    }

    @Test
    void toStringShowsTheJwksSettingsWithoutCredentials() {
        final String text = ServerConfig.builder().jwksUrl("https://user:pw@idp.example/jwks?token=s3cret")
                .jwksRefresh(Duration.ofMinutes(1)).jwtAudience("nova").jwtIssuer("https://idp.example").build().toString();
        assertThat(text).contains("jwksUrl=https://<redacted>@idp.example/jwks?<redacted>", "jwksRefresh=1m",
                                  "jwtAudience=nova", "jwtIssuer=https://idp.example")
                        .doesNotContain("pw@", "s3cret");
        assertThat(ServerConfig.builder().build().toString()).contains("jwksUrl=none", "jwtAudience=none", "jwtIssuer=none");
    }

    @Test
    void secretIsCopiedInAndOut() {
        final byte[] secret = SECRET.clone();
        final ServerConfig config = ServerConfig.builder().jwtSecret(secret).build();
        secret[0] = 'X';
        assertThat(config.jwtSecret()).isEqualTo(SECRET);
        config.jwtSecret()[0] = 'Y';
        assertThat(config.jwtSecret()).isEqualTo(SECRET);
        assertThat(config.devMode()).isFalse();
    }

    @Test
    void toStringHidesTheSecret() {
        final String text = ServerConfig.builder().jwtSecret(SECRET).build().toString();
        assertThat(text).contains("jwtSecret=<redacted>", "port=8080", "viewerCountInterval=50ms",
                                "tokenExpiryWarning=30s")
                        .doesNotContain(new String(SECRET, UTF_8));
        assertThat(ServerConfig.builder().build().toString()).contains("jwtSecret=none (dev mode)")
                .contains("tlsCert=none, tlsKey=none, internalTlsCert=none, internalTlsKey=none, tlsReloadInterval=10s");
        assertThat(ServerConfig.builder().tls(Path.of("/etc/nova/cert.pem"), Path.of("/etc/nova/key.pem")).build()
                .toString()).contains("tlsCert=/etc/nova/cert.pem, tlsKey=/etc/nova/key.pem");
    }

    @Test
    void toBuilderCopiesEveryValue() {
        final Clock clock = Clock.fixed(Instant.EPOCH, ZoneOffset.UTC);
        final ServerConfig config = ServerConfig.builder()
                .host("::1").port(1).internalHost("localhost").internalPort(2)
                .jwtSecret(SECRET)
                .jwksUrl("https://idp.example/jwks").jwksRefresh(Duration.ofMinutes(2))
                .jwtAudience("nova").jwtIssuer("https://idp.example")
                .pingInterval(Duration.ofSeconds(3)).pingTimeout(Duration.ofSeconds(4))
                .idleTimeout(Duration.ofSeconds(5)).viewerCountInterval(Duration.ofMillis(60))
                .bufferSize(7).maxFrameBytes(8192).maxConnections(9).ioThreads(10)
                .endGracePeriod(Duration.ofSeconds(11)).handshakeTimeout(Duration.ofSeconds(12))
                .writeBufferWaterMarks(2048, 4096).maxRequestBodyBytes(16_384)
                .tokenExpiryWarning(Duration.ofMinutes(13))
                .tls(Path.of("/etc/nova/cert.pem"), Path.of("/etc/nova/key.pem"))
                .internalTls(Path.of("/etc/nova/internal.pem"), Path.of("/etc/nova/internal-key.pem"))
                .tlsReloadInterval(Duration.ofMinutes(1))
                .clock(clock)
                .build();
        assertThat(config.toBuilder().build()).usingRecursiveComparison().isEqualTo(config);
        assertThat(config.toBuilder().port(3).build().port()).isEqualTo(3);
    }

    @Test
    void builderRefusesNull() {
        assertThatThrownBy(() -> ServerConfig.builder().host(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ServerConfig.builder().pingInterval(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ServerConfig.builder().clock(null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> ServerConfig.builder().tokenExpiryWarning(null))
                .isInstanceOf(NullPointerException.class);
    }

    private static Arguments invalid(UnaryOperator<ServerConfig.Builder> change, String message) {
        return Arguments.of(change, message);
    }
}
