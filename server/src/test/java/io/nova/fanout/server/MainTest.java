package io.nova.fanout.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine.Model.OptionSpec;

class MainTest {

    private static final String SECRET = "a-secret-of-exactly-32-bytes-!!!";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @TempDir
    Path dir;

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
                "--jwks-url", "https://idp.example/jwks", "--jwks-refresh", "1m",
                "--jwt-audience", "nova", "--jwt-issuer", "https://idp.example",
                "--ping-interval", "20s", "--ping-timeout", "5s", "--idle-timeout", "2m",
                "--viewer-count-interval", "100ms", "--viewer-count-budget", "0",
                "--buffer-size", "50", "--max-frame-bytes", "65536", "--max-connections", "10",
                "--io-threads", "4", "--end-grace-period", "0s", "--shutdown-grace", "3s", "--demo-stream", "true",
                "--allowed-origins", "https://a.example,http://127.0.0.1:8080",
                "--inbound-rate", "5", "--inbound-burst", "7",
                "--max-connections-per-ip", "0", "--handshake-rate-per-ip", "3", "--handshake-burst-per-ip", "9",
                "--token-expiry-warning", "2m",
                "--tls-cert", "/etc/nova/cert.pem", "--tls-key", "/etc/nova/key.pem",
                "--internal-tls-cert", "/etc/nova/internal.pem", "--internal-tls-key", "/etc/nova/internal-key.pem",
                "--tls-reload-interval", "1m");
        assertThat(config).usingRecursiveComparison().isEqualTo(ServerConfig.builder()
                .host("10.0.0.1").port(9000).internalHost("10.0.0.2").internalPort(9001)
                .jwtSecret(SECRET.getBytes(UTF_8))
                .jwksUrl("https://idp.example/jwks").jwksRefresh(Duration.ofMinutes(1))
                .jwtAudience("nova").jwtIssuer("https://idp.example")
                .pingInterval(Duration.ofSeconds(20)).pingTimeout(Duration.ofSeconds(5))
                .idleTimeout(Duration.ofMinutes(2)).viewerCountInterval(Duration.ofMillis(100)).viewerCountBudget(0)
                .bufferSize(50).maxFrameBytes(65_536).maxConnections(10).ioThreads(4)
                .endGracePeriod(Duration.ZERO).shutdownGrace(Duration.ofSeconds(3)).demoStream(true)
                .allowedOrigins(java.util.List.of("https://a.example", "http://127.0.0.1:8080")).inboundRate(5, 7)
                .maxConnectionsPerIp(0).handshakeRatePerIp(3, 9)
                .tokenExpiryWarning(Duration.ofMinutes(2))
                .tls(Path.of("/etc/nova/cert.pem"), Path.of("/etc/nova/key.pem"))
                .internalTls(Path.of("/etc/nova/internal.pem"), Path.of("/etc/nova/internal-key.pem"))
                .tlsReloadInterval(Duration.ofMinutes(1))
                .build());
    }

    @Test
    void everyEnvTwinIsApplied() {
        final ServerConfig config = parse(Map.ofEntries(
                Map.entry("NOVA_HOST", "10.0.0.1"), Map.entry("NOVA_PORT", "9000"),
                Map.entry("NOVA_INTERNAL_HOST", "10.0.0.2"), Map.entry("NOVA_INTERNAL_PORT", "9001"),
                Map.entry("NOVA_JWT_SECRET", SECRET),
                Map.entry("NOVA_JWKS_URL", "/etc/nova/jwks.json"), Map.entry("NOVA_JWKS_REFRESH", "30s"),
                Map.entry("NOVA_JWT_AUDIENCE", "nova"), Map.entry("NOVA_JWT_ISSUER", "https://idp.example"),
                Map.entry("NOVA_PING_INTERVAL", "20s"), Map.entry("NOVA_PING_TIMEOUT", "5s"),
                Map.entry("NOVA_IDLE_TIMEOUT", "2m"), Map.entry("NOVA_VIEWER_COUNT_INTERVAL", "100ms"),
                Map.entry("NOVA_VIEWER_COUNT_BUDGET", "500"),
                Map.entry("NOVA_BUFFER_SIZE", "50"), Map.entry("NOVA_MAX_FRAME_BYTES", "65536"),
                Map.entry("NOVA_MAX_CONNECTIONS", "10"), Map.entry("NOVA_IO_THREADS", "4"),
                Map.entry("NOVA_END_GRACE_PERIOD", "0s"), Map.entry("NOVA_SHUTDOWN_GRACE", "3s"),
                Map.entry("NOVA_DEMO_STREAM", "true"), Map.entry("NOVA_ALLOWED_ORIGINS", "https://a.example"),
                Map.entry("NOVA_INBOUND_RATE", "5"), Map.entry("NOVA_INBOUND_BURST", "7"),
                Map.entry("NOVA_MAX_CONNECTIONS_PER_IP", "0"), Map.entry("NOVA_HANDSHAKE_RATE_PER_IP", "3"),
                Map.entry("NOVA_HANDSHAKE_BURST_PER_IP", "9"), Map.entry("NOVA_TOKEN_EXPIRY_WARNING", "45s"),
                Map.entry("NOVA_TLS_CERT", "/etc/nova/cert.pem"), Map.entry("NOVA_TLS_KEY", "/etc/nova/key.pem"),
                Map.entry("NOVA_INTERNAL_TLS_CERT", "/etc/nova/internal.pem"),
                Map.entry("NOVA_INTERNAL_TLS_KEY", "/etc/nova/internal-key.pem"),
                Map.entry("NOVA_TLS_RELOAD_INTERVAL", "0s")));
        assertThat(config).usingRecursiveComparison().isEqualTo(parse(Map.of(),
                "--host", "10.0.0.1", "--port", "9000",
                "--internal-host", "10.0.0.2", "--internal-port", "9001",
                "--jwt-secret", SECRET,
                "--jwks-url", "/etc/nova/jwks.json", "--jwks-refresh", "30s",
                "--jwt-audience", "nova", "--jwt-issuer", "https://idp.example",
                "--ping-interval", "20s", "--ping-timeout", "5s", "--idle-timeout", "2m",
                "--viewer-count-interval", "100ms", "--viewer-count-budget", "500",
                "--buffer-size", "50", "--max-frame-bytes", "65536", "--max-connections", "10",
                "--io-threads", "4", "--end-grace-period", "0s", "--shutdown-grace", "3s", "--demo-stream", "true",
                "--allowed-origins", "https://a.example", "--inbound-rate", "5", "--inbound-burst", "7",
                "--max-connections-per-ip", "0", "--handshake-rate-per-ip", "3", "--handshake-burst-per-ip", "9",
                "--token-expiry-warning", "45s",
                "--tls-cert", "/etc/nova/cert.pem", "--tls-key", "/etc/nova/key.pem",
                "--internal-tls-cert", "/etc/nova/internal.pem", "--internal-tls-key", "/etc/nova/internal-key.pem",
                "--tls-reload-interval", "0s"));
        assertThat(config.tlsReloadInterval()).isZero();
    }

    @Test
    void everySettingOfTheConfigFileIsApplied() throws IOException {
        final Path file = write("""
                host: 10.0.0.1
                port: 9000
                internal-host: 10.0.0.2
                internal-port: 9001
                jwt-secret: %s
                ping-interval: 20s
                ping-timeout: 5s
                idle-timeout: 2m
                viewer-count-interval: 100ms
                viewer-count-budget: 500
                buffer-size: 50
                max-frame-bytes: 65536
                max-connections: 10
                io-threads: 4
                end-grace-period: 0s
                shutdown-grace: 3s
                demo-stream: true
                allowed-origins: [https://a.example, "http://127.0.0.1:8080"]
                inbound-rate: 5
                inbound-burst: 7
                max-connections-per-ip: 0
                handshake-rate-per-ip: 3
                handshake-burst-per-ip: 9
                token-expiry-warning: 1m
                tls-cert: /etc/nova/cert.pem
                tls-key: /etc/nova/key.pem
                internal-tls-cert: /etc/nova/internal.pem
                internal-tls-key: /etc/nova/internal-key.pem
                tls-reload-interval: 30s
                """.formatted(SECRET));
        assertThat(parse(Map.of(), "--config", file.toString())).usingRecursiveComparison().isEqualTo(parse(Map.of(),
                "--host", "10.0.0.1", "--port", "9000",
                "--internal-host", "10.0.0.2", "--internal-port", "9001",
                "--jwt-secret", SECRET,
                "--ping-interval", "20s", "--ping-timeout", "5s", "--idle-timeout", "2m",
                "--viewer-count-interval", "100ms", "--viewer-count-budget", "500",
                "--buffer-size", "50", "--max-frame-bytes", "65536", "--max-connections", "10",
                "--io-threads", "4", "--end-grace-period", "0s", "--shutdown-grace", "3s", "--demo-stream", "true",
                "--allowed-origins", "https://a.example,http://127.0.0.1:8080",
                "--inbound-rate", "5", "--inbound-burst", "7",
                "--max-connections-per-ip", "0", "--handshake-rate-per-ip", "3", "--handshake-burst-per-ip", "9",
                "--token-expiry-warning", "1m",
                "--tls-cert", "/etc/nova/cert.pem", "--tls-key", "/etc/nova/key.pem",
                "--internal-tls-cert", "/etc/nova/internal.pem", "--internal-tls-key", "/etc/nova/internal-key.pem",
                "--tls-reload-interval", "30s"));
    }

    @Test
    void everySettingCanBeInTheConfigFile() {
        final Set<String> names = new TreeSet<>();
        for (OptionSpec option : Main.newCommandLine(Map.of()).getCommandSpec().options()) {
            if (Main.isSetting(option) && !option.longestName().equals("--config")) {
                names.add(Main.settingName(option));
            }
        }
        assertThat(names).contains("port", "jwt-secret", "allowed-origins").doesNotContain("config", "print-config");
    }

    @Test
    void precedenceIsFlagThenEnvironmentThenFileThenDefault() throws IOException {
        final Path file = write("port: 9002\nping-interval: 40s\nbuffer-size: 60\n");
        final ServerConfig config = parse(Map.of("NOVA_PING_INTERVAL", "45s", "NOVA_BUFFER_SIZE", "70"),
                                          "--config", file.toString(), "--buffer-size", "80");
        assertThat(config.port()).isEqualTo(9002);
        assertThat(config.pingInterval()).isEqualTo(Duration.ofSeconds(45));
        assertThat(config.bufferSize()).isEqualTo(80);
        assertThat(config.internalPort()).isEqualTo(8081);
    }

    @Test
    void configFileCanBeNamedByTheEnvironment() throws IOException {
        final Path file = write("port: 9003\n");
        assertThat(parse(Map.of("NOVA_CONFIG", file.toString())).port()).isEqualTo(9003);
    }

    @Test
    void emptyConfigFileSetsNothing() throws IOException {
        final Path file = write("# nothing yet\n");
        assertThat(parse(Map.of(), "--config", file.toString())).usingRecursiveComparison()
                .isEqualTo(ServerConfig.builder().build());
    }

    @Test
    void badConfigFilesAreRefusedWithTheFileAndTheProblem() throws IOException {
        assertThatThrownBy(() -> parse(Map.of(), "--config", dir.resolve("absent.yaml").toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("config file " + dir.resolve("absent.yaml") + ": no such file");
        final Path unknown = write("port: 9000\nprot: 9001\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", unknown.toString()))
                .hasMessageStartingWith("config file " + unknown + ": unknown setting 'prot' (expected: one of ")
                .hasMessageContaining("ping-interval")
                .hasMessageNotContaining("print-config");
        final Path nested = write("ping:\n  interval: 30s\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", nested.toString()))
                .hasMessage("config file " + nested + ": unknown setting 'ping' (expected: one of " +
                            String.join(", ", new TreeSet<>(settingNames())) + ")");
        final Path mapping = write("port:\n  number: 9000\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", mapping.toString()))
                .hasMessage("config file " + mapping + ": port: a mapping (expected: a value, or a list of values)");
        final Path empty = write("port:\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", empty.toString()))
                .hasMessage("config file " + empty + ": port: no value (expected: a value, or a list of values)");
        final Path duplicate = write("port: 9000\nport: 9001\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", duplicate.toString()))
                .hasMessageStartingWith("config file " + duplicate + ": line 2: Duplicate field 'port'");
        final Path syntax = write("port: 9000\n  - ping-interval: [30s\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", syntax.toString()))
                .hasMessageStartingWith("config file " + syntax + ": line ");
        final Path list = write("- port\n- 9000\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", list.toString()))
                .hasMessage("config file " + list + ": expected a mapping of setting names to values, e.g. 'port: 8080'");
        final Path nestedConfig = write("config: other.yaml\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", nestedConfig.toString()))
                .hasMessageStartingWith("config file " + nestedConfig + ": unknown setting 'config'");
    }

    @Test
    void badValueNamesTheOptionAndWhereTheValueCameFrom() throws IOException {
        final Path file = write("port: http\nping-interval: 30x\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", file.toString()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Invalid value for option '--")
                .hasMessageEndingWith(" (from config file " + file + ")");
        assertThatThrownBy(() -> parse(Map.of("NOVA_PORT", "http")))
                .hasMessage("Invalid value for option '--port': 'http' is not an int (from NOVA_PORT)");
        final Path range = write("port: 70000\n");
        assertThatThrownBy(() -> parse(Map.of(), "--config", range.toString()))
                .hasMessage("--port: 70000 (expected: 0..65535)");
    }

    @Test
    void printConfigShowsEveryValueAndItsSourceAndMasksTheSecret() throws IOException {
        final Path file = write("ping-interval: 40s\nallowed-origins: [https://a.example, https://b.example]\n");
        assertThat(Main.parseConfig(new String[] { "--config", file.toString(), "--port", "9000", "--print-config" },
                                    Map.of("NOVA_JWT_SECRET", SECRET, "NOVA_BUFFER_SIZE", "70"), printer()))
                .isEmpty();
        final String text = out.toString(UTF_8);
        assertThat(text)
                .contains("port: 9000  # flag --port\n")
                .contains("buffer-size: 70  # environment NOVA_BUFFER_SIZE\n")
                .contains("ping-interval: 40s  # config file " + file + "\n")
                .contains("allowed-origins: ['https://a.example', 'https://b.example']  # config file " + file + "\n")
                .contains("idle-timeout: 1m  # default\n")
                .contains("host: 0.0.0.0  # default\n")
                .contains("# jwt-secret: ******** (environment NOVA_JWT_SECRET)\n")
                .contains("config: " + file + "  # flag --config\n")
                .doesNotContain(SECRET)
                .doesNotContain("print-config");
        for (String name : settingNames()) {
            assertThat(text).as(name).containsPattern("(?m)^(# )?" + java.util.regex.Pattern.quote(name) + ": ");
        }
    }

    @Test
    void printConfigOutputIsAConfigFileForTheSameConfiguration() throws IOException {
        final String[] args = { "--port", "9000", "--ping-interval", "20s", "--allowed-origins",
                                "https://a.example,http://127.0.0.1:8080", "--demo-stream", "true" };
        final Map<String, String> env = Map.of("NOVA_JWT_SECRET", SECRET, "NOVA_HOST", "::1");
        final ServerConfig direct = parse(env, args);
        final String[] printArgs = java.util.Arrays.copyOf(args, args.length + 1);
        printArgs[args.length] = "--print-config";
        Main.parseConfig(printArgs, env, printer());
        final Path file = write(out.toString(UTF_8));
        // The masked secret is not in the file; the environment still gives it.
        assertThat(parse(Map.of("NOVA_JWT_SECRET", SECRET), "--config", file.toString()))
                .usingRecursiveComparison().isEqualTo(direct);
    }

    @Test
    void printConfigValidatesFirst() {
        assertThatThrownBy(() -> Main.parseConfig(new String[] { "--port", "70000", "--print-config" }, Map.of(),
                                                  printer()))
                .hasMessage("--port: 70000 (expected: 0..65535)");
        assertThat(out.toString(UTF_8)).isEmpty();
    }

    @Test
    void logFormatIsTextUnlessJsonIsAskedForInAnySpelling() throws IOException {
        assertThat(launch(Map.of()).logFormat()).isEqualTo(LogFormat.TEXT);
        assertThat(launch(Map.of(), "--log-format", "json").logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(launch(Map.of("NOVA_LOG_FORMAT", "JSON")).logFormat()).isEqualTo(LogFormat.JSON);
        assertThat(launch(Map.of(), "--config", write("log-format: json\n").toString()).logFormat())
                .isEqualTo(LogFormat.JSON);
        assertThatThrownBy(() -> launch(Map.of(), "--log-format", "xml"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Invalid value for option '--log-format': unknown log format 'xml' (expected: text or json)");
    }

    @Test
    void aCertificateWithoutItsKeyIsRefused() {
        assertThatThrownBy(() -> parse(Map.of(), "--tls-cert", "/etc/nova/cert.pem"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--tls-key: none (expected: a PEM private key file, since tlsCert is set)");
        assertThatThrownBy(() -> parse(Map.of("NOVA_INTERNAL_TLS_KEY", "/etc/nova/key.pem")))
                .hasMessage("--internal-tls-cert: none (expected: a PEM certificate file, since internalTlsKey is set)");
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
    void aJwksUrlWithoutSecretIsNotDevMode() {
        final ServerConfig config = parse(Map.of("NOVA_JWKS_URL", "https://idp.example/jwks"));
        assertThat(config.devMode()).isFalse();
        assertThat(config.jwtSecret()).isNull();
        assertThat(Main.devModeFor(config, new java.security.SecureRandom())).isNull();
        assertThat(Main.devModeFor(parse(Map.of()), new java.security.SecureRandom())).isNotNull();
    }

    @Test
    void aBadJwksUrlIsRefusedAtParse() {
        assertThatThrownBy(() -> parse(Map.of(), "--jwks-url", "ftp://idp.example/jwks"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--jwks-url: 'ftp://idp.example/jwks' (expected: an https:// or http:// URL, a file: URL " +
                            "or a file path)");
    }

    @Test
    void shortSecretIsRefusedWithAHint() {
        assertThatThrownBy(() -> parse(Map.of(), "--jwt-secret", "twelve-bytes"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("--jwt-secret: 12 bytes (expected: >= 32 bytes); generate one with: openssl rand -base64 48");
        assertThatThrownBy(() -> parse(Map.of("NOVA_JWT_SECRET", "")))
                .hasMessage("--jwt-secret: 0 bytes (expected: >= 32 bytes); generate one with: openssl rand -base64 48");
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
                .hasMessage("--viewer-count-interval: 5ms (expected: 10ms..1s)");
        assertThatThrownBy(() -> parse(Map.of("NOVA_PORT", "70000")))
                .hasMessage("--port: 70000 (expected: 0..65535)");
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
            if (!Main.isSetting(option)) {
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

    private Path write(String yaml) throws IOException {
        return Files.writeString(Files.createTempFile(dir, "nova", ".yaml"), yaml);
    }

    private static Set<String> settingNames() {
        final Set<String> names = new TreeSet<>();
        for (OptionSpec option : Main.newCommandLine(Map.of()).getCommandSpec().options()) {
            if (Main.isSetting(option) && !option.longestName().equals("--config")) {
                names.add(Main.settingName(option));
            }
        }
        return names;
    }

    private Main.Launch launch(Map<String, String> env, String... args) {
        return Main.parseConfig(args, env, printer()).orElseThrow();
    }

    private ServerConfig parse(Map<String, String> env, String... args) {
        return Main.parseConfig(args, env, printer()).orElseThrow().config();
    }

    private PrintStream printer() {
        return new PrintStream(out, true, UTF_8);
    }
}
