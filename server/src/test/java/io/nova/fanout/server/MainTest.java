package io.nova.fanout.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.Model.OptionSpec;

class MainTest {

    private static final String SECRET = "a-secret-of-exactly-32-bytes-!!!";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @Test
    void defaultsAreServerConfigDefaults() {
        assertThat(parse(Map.of())).usingRecursiveComparison().isEqualTo(ServerConfig.builder().build());
    }

    @Test
    void everyFlagIsApplied() {
        final ServerConfig config = parse(Map.of(),
                "--host", "10.0.0.1", "--port", "9000",
                "--internal-host", "10.0.0.2", "--internal-port", "9001",
                "--jwt-secret", SECRET,
                "--ping-interval", "20s", "--ping-timeout", "5s", "--idle-timeout", "2m",
                "--viewer-count-interval", "100ms", "--viewer-count-budget", "0",
                "--buffer-size", "50", "--max-frame-bytes", "65536", "--max-connections", "10",
                "--io-threads", "4", "--end-grace-period", "0s", "--shutdown-grace", "3s", "--demo-stream", "true",
                "--allowed-origins", "https://a.example,http://127.0.0.1:8080",
                "--inbound-rate", "5", "--inbound-burst", "7");
        assertThat(config).usingRecursiveComparison().isEqualTo(ServerConfig.builder()
                .host("10.0.0.1").port(9000).internalHost("10.0.0.2").internalPort(9001)
                .jwtSecret(SECRET.getBytes(UTF_8))
                .pingInterval(Duration.ofSeconds(20)).pingTimeout(Duration.ofSeconds(5))
                .idleTimeout(Duration.ofMinutes(2)).viewerCountInterval(Duration.ofMillis(100)).viewerCountBudget(0)
                .bufferSize(50).maxFrameBytes(65_536).maxConnections(10).ioThreads(4)
                .endGracePeriod(Duration.ZERO).shutdownGrace(Duration.ofSeconds(3)).demoStream(true)
                .allowedOrigins(java.util.List.of("https://a.example", "http://127.0.0.1:8080")).inboundRate(5, 7)
                .build());
    }

    @Test
    void everyEnvTwinIsApplied() {
        final ServerConfig config = parse(Map.ofEntries(
                Map.entry("NOVA_HOST", "10.0.0.1"), Map.entry("NOVA_PORT", "9000"),
                Map.entry("NOVA_INTERNAL_HOST", "10.0.0.2"), Map.entry("NOVA_INTERNAL_PORT", "9001"),
                Map.entry("NOVA_JWT_SECRET", SECRET),
                Map.entry("NOVA_PING_INTERVAL", "20s"), Map.entry("NOVA_PING_TIMEOUT", "5s"),
                Map.entry("NOVA_IDLE_TIMEOUT", "2m"), Map.entry("NOVA_VIEWER_COUNT_INTERVAL", "100ms"),
                Map.entry("NOVA_VIEWER_COUNT_BUDGET", "500"),
                Map.entry("NOVA_BUFFER_SIZE", "50"), Map.entry("NOVA_MAX_FRAME_BYTES", "65536"),
                Map.entry("NOVA_MAX_CONNECTIONS", "10"), Map.entry("NOVA_IO_THREADS", "4"),
                Map.entry("NOVA_END_GRACE_PERIOD", "0s"), Map.entry("NOVA_SHUTDOWN_GRACE", "3s"),
                Map.entry("NOVA_DEMO_STREAM", "true"), Map.entry("NOVA_ALLOWED_ORIGINS", "https://a.example")));
        assertThat(config).usingRecursiveComparison().isEqualTo(parse(Map.of(),
                "--host", "10.0.0.1", "--port", "9000",
                "--internal-host", "10.0.0.2", "--internal-port", "9001",
                "--jwt-secret", SECRET,
                "--ping-interval", "20s", "--ping-timeout", "5s", "--idle-timeout", "2m",
                "--viewer-count-interval", "100ms", "--viewer-count-budget", "500",
                "--buffer-size", "50", "--max-frame-bytes", "65536", "--max-connections", "10",
                "--io-threads", "4", "--end-grace-period", "0s", "--shutdown-grace", "3s", "--demo-stream", "true",
                "--allowed-origins", "https://a.example"));
    }

    @Test
    void flagBeatsEnvironment() {
        final ServerConfig config = parse(Map.of("NOVA_PORT", "9001", "NOVA_PING_INTERVAL", "1m"),
                                          "--port", "9000", "--ping-interval", "20s");
        assertThat(config.port()).isEqualTo(9000);
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void environmentBeatsDefault() {
        final ServerConfig config = parse(Map.of("NOVA_PORT", "9001", "NOVA_PING_INTERVAL", "45s"));
        assertThat(config.port()).isEqualTo(9001);
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.internalPort()).isEqualTo(8081);
    }

    @Test
    void secretIsItsUtf8Bytes() {
        final String secret = "ключ-".repeat(8);
        assertThat(parse(Map.of("NOVA_JWT_SECRET", secret)).jwtSecret()).isEqualTo(secret.getBytes(UTF_8));
    }

    @Test
    void noSecretMeansDevMode() {
        assertThat(parse(Map.of()).devMode()).isTrue();
        assertThat(parse(Map.of(), "--jwt-secret", SECRET).devMode()).isFalse();
    }

    @Test
    void shortSecretIsRefusedWithAHint() {
        assertThatThrownBy(() -> parse(Map.of(), "--jwt-secret", "twelve-bytes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jwtSecret: 12 bytes (expected: >= 32 bytes); generate one with: openssl rand -base64 48");
        assertThatThrownBy(() -> parse(Map.of("NOVA_JWT_SECRET", "")))
                .hasMessage("jwtSecret: 0 bytes (expected: >= 32 bytes); generate one with: openssl rand -base64 48");
    }

    @Test
    void badDurationNamesOptionAndSyntax() {
        assertThatThrownBy(() -> parse(Map.of(), "--ping-interval", "30x"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value for option '--ping-interval': invalid duration '30x' " +
                            "(expected: an integer followed by ms, s, m or h, e.g. 30s or 250ms)");
        assertThatThrownBy(() -> parse(Map.of("NOVA_IDLE_TIMEOUT", "PT1M")))
                .hasMessageStartingWith("Invalid value for option '--idle-timeout': invalid duration 'PT1M'");
    }

    @Test
    void outOfRangeValueIsRefusedByTheConfig() {
        assertThatThrownBy(() -> parse(Map.of(), "--viewer-count-interval", "5ms"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("viewerCountInterval: 5ms (expected: 10ms..1s)");
        assertThatThrownBy(() -> parse(Map.of("NOVA_PORT", "70000")))
                .hasMessage("port: 70000 (expected: 0..65535)");
    }

    @Test
    void malformedNumberAndUnknownOptionAreRefused() {
        assertThatThrownBy(() -> parse(Map.of(), "--port", "http"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value for option '--port': 'http' is not an int");
        assertThatThrownBy(() -> parse(Map.of(), "--prot=9000"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Unknown option: '--prot=9000'");
    }

    @Test
    void everyOptionDocumentsItsEnvTwin() {
        for (OptionSpec option : Main.newCommandLine(Map.of()).getCommandSpec().options()) {
            if (option.usageHelp() || option.versionHelp()) {
                continue;
            }
            assertThat(String.join(" ", option.description()))
                    .as(option.longestName())
                    .contains("Env: " + Main.envName(option) + '.')
                    .contains("Default: ");
        }
    }

    @Test
    void helpIsPrintedInsteadOfStarting() {
        assertThat(Main.parseConfig(new String[] { "--help" }, Map.of("NOVA_JWT_SECRET", SECRET), printer()))
                .isEmpty();
        assertThat(out.toString(UTF_8))
                .contains("Usage: nova-server", "--viewer-count-interval", "NOVA_VIEWER_COUNT_INTERVAL",
                          "Default: 50ms")
                .doesNotContain(SECRET);
    }

    @Test
    void versionIsPrintedInsteadOfStarting() {
        assertThat(Main.parseConfig(new String[] { "--version" }, Map.of(), printer())).isEmpty();
        assertThat(out.toString(UTF_8)).startsWith("nova-server ");
    }

    @Test
    void authorityBracketsIpv6() {
        assertThat(Main.authority("127.0.0.1", 8080)).isEqualTo("127.0.0.1:8080");
        assertThat(Main.authority("::1", 8080)).isEqualTo("[::1]:8080");
    }

    private ServerConfig parse(Map<String, String> env, String... args) {
        return Main.parseConfig(args, env, printer()).orElseThrow();
    }

    private PrintStream printer() {
        return new PrintStream(out, true, UTF_8);
    }
}
