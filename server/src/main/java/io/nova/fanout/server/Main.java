package io.nova.fanout.server;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import sun.misc.Signal;

/**
 * The {@code nova-server} command. Every setting has three spellings: a flag, an environment twin named
 * {@code NOVA_} plus the option's name in upper snake case, and a key of the {@code --config} YAML file
 * named like the option without its dashes. A flag wins over the environment, the environment over the
 * file, the file over the default.
 */
@Command(name = "nova-server", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
         sortOptions = false,
         description = "Fans out live-stream state to the viewers of each stream over WebSocket.",
         footer = { "", "Each setting can also be given by the environment variable named in its description, " +
                        "or in the --config file under its name without the dashes (port: 8080). A flag wins " +
                        "over the environment, the environment over the file, the file over the default." })
public final class Main {

    private static final Logger logger = LoggerFactory.getLogger(Main.class);

    private static final int EXIT_FAILURE = 1;
    private static final int EXIT_USAGE = 2;
    private static final String SECRET_FIELD = "jwtSecret:";
    /** How {@link ServerConfig} names the field a message is about. */
    private static final Pattern CONFIG_FIELD = Pattern.compile("([a-z][A-Za-z]*): ");
    private static final String SECRET_HINT = "; generate one with: openssl rand -base64 48";
    /** Options whose values --print-config masks. */
    private static final Set<String> SECRETS = Set.of("--jwt-secret");
    /** Options that ask for an action instead of setting something; they have no environment twin. */
    private static final Set<String> ACTIONS = Set.of("--print-config");
    /** The option that names the file; a file cannot name another file. */
    private static final String CONFIG = "--config";

    @Option(names = CONFIG, paramLabel = "FILE",
            description = "YAML file of settings, each under its option's name without the dashes, e.g. " +
                          "'port: 8080' or 'allowed-origins: [https://a.example, https://b.example]'. " +
                          "Env: NOVA_CONFIG. Default: none.")
    private Path configFile;

    @Option(names = "--print-config",
            description = "Print the effective configuration (secrets masked), with where each value came from, " +
                          "and exit without starting.")
    private boolean printConfig;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "0.0.0.0",
            description = "Address viewers connect to. Env: NOVA_HOST. Default: ${DEFAULT-VALUE}.")
    private String host;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
            description = "Viewer port; 0 picks a free one. Env: NOVA_PORT. Default: ${DEFAULT-VALUE}.")
    private int port;

    @Option(names = "--internal-host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address of the internal broadcaster and metrics API; keep it off the public " +
                          "network. Env: NOVA_INTERNAL_HOST. Default: ${DEFAULT-VALUE}.")
    private String internalHost;

    @Option(names = "--internal-port", paramLabel = "PORT", defaultValue = "8081",
            description = "Internal API port; 0 picks a free one. Env: NOVA_INTERNAL_PORT. " +
                          "Default: ${DEFAULT-VALUE}.")
    private int internalPort;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain of the viewer port, the server's certificate first (e.g. " +
                          "certbot's fullchain.pem); with --tls-key, viewers connect with wss://. Reloaded when " +
                          "it changes. Env: NOVA_TLS_CERT. Default: none (plain ws://).")
    private Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE",
            description = "PEM private key of --tls-cert (PKCS#8, or RSA/EC PRIVATE KEY), unencrypted; make it " +
                          "readable by the server's user only. Env: NOVA_TLS_KEY. Default: none.")
    private Path tlsKey;

    @Option(names = "--internal-tls-cert", paramLabel = "FILE",
            description = "PEM certificate chain of the internal port; with --internal-tls-key it speaks " +
                          "https:// and wss://. Env: NOVA_INTERNAL_TLS_CERT. Default: none (plain http://).")
    private Path internalTlsCert;

    @Option(names = "--internal-tls-key", paramLabel = "FILE",
            description = "PEM private key of --internal-tls-cert. Env: NOVA_INTERNAL_TLS_KEY. Default: none.")
    private Path internalTlsKey;

    @Option(names = "--tls-reload-interval", paramLabel = "DURATION", defaultValue = "10s",
            description = "How often the certificate and key files are checked for changes; new connections " +
                          "get a changed pair, open ones keep theirs (0s never checks, else 100ms..24h). " +
                          "Env: NOVA_TLS_RELOAD_INTERVAL. Default: ${DEFAULT-VALUE}.")
    private Duration tlsReloadInterval;

    // No ${DEFAULT-VALUE} here: it would print the secret from the environment in --help.
    @Option(names = "--jwt-secret", paramLabel = "SECRET",
            description = "HS256 secret of viewer and broadcaster tokens, at least 32 bytes. Prefer the " +
                          "environment: a command line is visible to every user of the host. " +
                          "Env: NOVA_JWT_SECRET. Default: none: HS256 tokens are refused if --jwks-url is " +
                          "set, else dev mode starts with a random secret and prints ready-made tokens.")
    private String jwtSecret;

    @Option(names = "--jwks-url", paramLabel = "URL",
            description = "Where the RS256/ES256 token keys are: an https:// URL of a JWKS, a file: URL or a file " +
                          "path (http:// only for loopback or tests). Read at start (a failure stops the start), " +
                          "every --jwks-refresh, and when a token names an unknown kid (at most once per 30s). " +
                          "Env: NOVA_JWKS_URL. Default: none: RS256 and ES256 tokens are refused.")
    private String jwksUrl;

    @Option(names = "--jwks-refresh", paramLabel = "DURATION", defaultValue = "5m",
            description = "How often the JWKS is read again (1s..24h). Env: NOVA_JWKS_REFRESH. " +
                          "Default: ${DEFAULT-VALUE}.")
    private Duration jwksRefresh;

    @Option(names = "--jwt-audience", paramLabel = "AUDIENCE",
            description = "When set, every token's aud must contain it. Env: NOVA_JWT_AUDIENCE. " +
                          "Default: none (aud is not checked).")
    private String jwtAudience;

    @Option(names = "--jwt-issuer", paramLabel = "ISSUER",
            description = "When set, every token's iss must equal it. Env: NOVA_JWT_ISSUER. " +
                          "Default: none (iss is not checked).")
    private String jwtIssuer;

    @Option(names = "--ping-interval", paramLabel = "DURATION", defaultValue = "30s",
            description = "How often viewers are pinged. Env: NOVA_PING_INTERVAL. Default: ${DEFAULT-VALUE}.")
    private Duration pingInterval;

    @Option(names = "--ping-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "How long a viewer may take to answer a ping. Env: NOVA_PING_TIMEOUT. " +
                          "Default: ${DEFAULT-VALUE}.")
    private Duration pingTimeout;

    @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s",
            description = "How long a viewer may stay silent before it is disconnected. " +
                          "Env: NOVA_IDLE_TIMEOUT. Default: ${DEFAULT-VALUE}.")
    private Duration idleTimeout;

    @Option(names = "--viewer-count-interval", paramLabel = "DURATION", defaultValue = "50ms",
            description = "Shortest time between two viewer_count_changed events of a stream (10ms..1s). " +
                          "Env: NOVA_VIEWER_COUNT_INTERVAL. Default: ${DEFAULT-VALUE}.")
    private Duration viewerCountInterval;

    @Option(names = "--viewer-count-budget", paramLabel = "MESSAGES", defaultValue = "20000",
            description = "Most viewer_count_changed messages one stream sends per second, summed over its " +
                          "viewers: a large audience's counts are announced less often than " +
                          "--viewer-count-interval so that they cost at most this; 0 for no limit. " +
                          "Env: NOVA_VIEWER_COUNT_BUDGET. Default: ${DEFAULT-VALUE}.")
    private int viewerCountBudget;

    @Option(names = "--buffer-size", paramLabel = "FRAMES", defaultValue = "100",
            description = "Frames kept per slow viewer before the oldest are dropped. " +
                          "Env: NOVA_BUFFER_SIZE. Default: ${DEFAULT-VALUE}.")
    private int bufferSize;

    @Option(names = "--max-frame-bytes", paramLabel = "BYTES", defaultValue = "262144",
            description = "Largest WebSocket frame accepted or sent. Env: NOVA_MAX_FRAME_BYTES. " +
                          "Default: ${DEFAULT-VALUE}.")
    private int maxFrameBytes;

    @Option(names = "--max-connections", paramLabel = "COUNT", defaultValue = "100000",
            description = "Most viewers connected at once. Env: NOVA_MAX_CONNECTIONS. Default: ${DEFAULT-VALUE}.")
    private int maxConnections;

    @Option(names = "--io-threads", paramLabel = "COUNT", defaultValue = "0",
            description = "Event loop threads; 0 means twice the number of cores. Env: NOVA_IO_THREADS. " +
                          "Default: ${DEFAULT-VALUE}.")
    private int ioThreads;

    @Option(names = "--end-grace-period", paramLabel = "DURATION", defaultValue = "5s",
            description = "How long viewers may drain their buffer after stream_ended before they are " +
                          "closed. Env: NOVA_END_GRACE_PERIOD. Default: ${DEFAULT-VALUE}.")
    private Duration endGracePeriod;

    @Option(names = "--shutdown-grace", paramLabel = "DURATION", defaultValue = "10s",
            description = "On SIGTERM, how long viewers may drain their buffers after SERVER_SHUTDOWN before " +
                          "their close 1001 (0s to 5m). Env: NOVA_SHUTDOWN_GRACE. Default: ${DEFAULT-VALUE}.")
    private Duration shutdownGrace;

    @Option(names = "--inbound-rate", paramLabel = "MESSAGES", defaultValue = "10",
            description = "Messages a second a viewer may send on average (1..1000000); more are ignored with a " +
                          "RATE_LIMITED notice, and a viewer that keeps it up is closed with 1008. " +
                          "Env: NOVA_INBOUND_RATE. Default: ${DEFAULT-VALUE}.")
    private int inboundRate;

    @Option(names = "--inbound-burst", paramLabel = "MESSAGES", defaultValue = "20",
            description = "Messages a viewer may send at once above the rate (1..1000000). " +
                          "Env: NOVA_INBOUND_BURST. Default: ${DEFAULT-VALUE}.")
    private int inboundBurst;

    @Option(names = "--max-connections-per-ip", paramLabel = "COUNT", defaultValue = "1000",
            description = "Most viewer-port connections open at once from one IP address (IPv6: one /64), " +
                          "0..10000000, 0 for no limit; more get 429 with Retry-After. Env: NOVA_MAX_CONNECTIONS_PER_IP. " +
                          "Default: ${DEFAULT-VALUE}.")
    private int maxConnectionsPerIp;

    @Option(names = "--handshake-rate-per-ip", paramLabel = "HANDSHAKES", defaultValue = "20",
            description = "Viewer handshakes a second one IP address (IPv6: one /64) may make on average, " +
                          "0..1000000, 0 for no limit; more get 429 with Retry-After. " +
                          "Env: NOVA_HANDSHAKE_RATE_PER_IP. Default: ${DEFAULT-VALUE}.")
    private int handshakeRatePerIp;

    @Option(names = "--handshake-burst-per-ip", paramLabel = "HANDSHAKES", defaultValue = "100",
            description = "Viewer handshakes one IP address may make at once above the rate (1..1000000). " +
                          "Env: NOVA_HANDSHAKE_BURST_PER_IP. Default: ${DEFAULT-VALUE}.")
    private int handshakeBurstPerIp;

    @Option(names = "--token-expiry-warning", paramLabel = "DURATION", defaultValue = "30s",
            description = "How long before its token's exp a viewer is sent TOKEN_EXPIRED, so that it can send a " +
                          "new token with refresh_token; without one it is closed with 1008 at exp plus 30s of " +
                          "clock skew (0s..24h). Env: NOVA_TOKEN_EXPIRY_WARNING. Default: ${DEFAULT-VALUE}.")
    private Duration tokenExpiryWarning;

    @Option(names = "--allowed-origins", paramLabel = "ORIGIN", split = ",", defaultValue = "*",
            description = "Origins whose pages may connect as viewers, comma-separated, e.g. " +
                          "https://player.example.com; * for every origin. Others get 403 before the upgrade; " +
                          "requests without an Origin header (not from a browser page) are not checked. " +
                          "Env: NOVA_ALLOWED_ORIGINS. Default: ${DEFAULT-VALUE}.")
    private List<String> allowedOrigins;

    @Option(names = "--demo-stream", paramLabel = "true|false", defaultValue = "false", arity = "1",
            description = "Keep a simulated broadcaster's stream, demo-live, live from the start, for the demo " +
                          "page at /. Always on in dev mode. Env: NOVA_DEMO_STREAM. Default: ${DEFAULT-VALUE}.")
    private boolean demoStream;

    @Option(names = "--log-format", paramLabel = "text|json", defaultValue = "text",
            description = "Log lines as text, or as one JSON object per line for a log collector. " +
                          "Env: NOVA_LOG_FORMAT. Default: ${DEFAULT-VALUE}.")
    private LogFormat logFormat;

    private Main() {}

    public static void main(String[] args) {
        final Optional<Launch> launch;
        try {
            launch = parseConfig(args, System.getenv(), System.out);
        } catch (IllegalArgumentException e) {
            System.err.println("nova-server: " + e.getMessage());
            System.exit(EXIT_USAGE);
            return;
        }
        launch.ifPresent(Main::start);
    }

    /** What the command line asks to start: the server's configuration, and how the process logs. */
    record Launch(ServerConfig config, LogFormat logFormat) {}

    /**
     * Reads the configuration from {@code args}, {@code env} and the {@code --config} file they name.
     * Returns empty when {@code --help}, {@code --version} or {@code --print-config} asked for text instead,
     * which is then printed to {@code out}.
     *
     * @throws IllegalArgumentException with a one-line message for an unknown option or an invalid value
     */
    static Optional<Launch> parseConfig(String[] args, Map<String, String> env, PrintStream out) {
        // The file is named by a flag or by the environment, so the arguments are read once to find it and
        // once more with its values as defaults beneath the environment's.
        final CommandLine firstPass = parse(newCommandLine(env), args, env, Map.of(), null);
        if (printHelp(firstPass, out)) {
            return Optional.empty();
        }
        final Path file = firstPass.<Main>getCommand().configFile;
        final Map<String, String> fileValues = file == null ? Map.of() : ConfigFile.read(file, settingNames(firstPass));
        final CommandLine commandLine = file == null ? firstPass
                : parse(newCommandLine(env, fileValues), args, env, fileValues, file);
        final ServerConfig config;
        try {
            config = commandLine.<Main>getCommand().toConfig();
        } catch (IllegalArgumentException e) {
            final String hint = e.getMessage().startsWith(SECRET_FIELD) ? SECRET_HINT : "";
            throw new IllegalArgumentException(asOptionName(commandLine, e.getMessage()) + hint, e);
        }
        if (commandLine.<Main>getCommand().printConfig) {
            out.print(EffectiveConfig.render(commandLine, env, fileValues, file, SECRETS, Main::isSetting));
            out.flush();
            return Optional.empty();
        }
        return Optional.of(new Launch(config, commandLine.<Main>getCommand().logFormat));
    }

    /**
     * The configuration names a field ({@code viewerCountInterval: 5ms ...}); the operator wrote an option,
     * an environment variable or a file key, so the message names the option they all come from.
     */
    private static String asOptionName(CommandLine commandLine, String message) {
        final Matcher field = CONFIG_FIELD.matcher(message);
        if (!field.lookingAt()) {
            return message;
        }
        final String option = "--" + field.group(1).replaceAll("([A-Z])", "-$1").toLowerCase(Locale.ROOT);
        return commandLine.getCommandSpec().findOption(option) == null ? message
                : option + message.substring(field.end(1));
    }

    private static CommandLine parse(CommandLine commandLine, String[] args, Map<String, String> env,
                                     Map<String, String> fileValues, Path file) {
        try {
            commandLine.parseArgs(args);
            return commandLine;
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + origin(e, commandLine, env, fileValues, file), e);
        }
    }

    /** Where a value that is not on the command line came from, so that a bad one can be found. */
    private static String origin(ParameterException e, CommandLine commandLine, Map<String, String> env,
                                 Map<String, String> fileValues, Path file) {
        if (!(e.getArgSpec() instanceof OptionSpec option)
                || commandLine.getParseResult() != null && commandLine.getParseResult().hasMatchedOption(option)) {
            return "";
        }
        if (env.containsKey(envName(option))) {
            return " (from " + envName(option) + ')';
        }
        return fileValues.containsKey(settingName(option)) ? " (from config file " + file + ')' : "";
    }

    private static boolean printHelp(CommandLine commandLine, PrintStream out) {
        if (commandLine.isUsageHelpRequested()) {
            commandLine.usage(out);
            return true;
        }
        if (commandLine.isVersionHelpRequested()) {
            commandLine.printVersionHelp(out);
            return true;
        }
        return false;
    }

    static CommandLine newCommandLine(Map<String, String> env) {
        return newCommandLine(env, Map.of());
    }

    private static CommandLine newCommandLine(Map<String, String> env, Map<String, String> fileValues) {
        return new CommandLine(new Main())
                .registerConverter(Duration.class, Main::convertDuration)
                .registerConverter(LogFormat.class, Main::convertLogFormat)
                .setDefaultValueProvider(defaults(env, fileValues));
    }

    /** Whether the option sets something (and so has all three spellings), rather than asking for an action. */
    static boolean isSetting(OptionSpec option) {
        return !option.usageHelp() && !option.versionHelp() && !ACTIONS.contains(option.longestName());
    }

    /** The option's key in the config file. */
    static String settingName(OptionSpec option) {
        return option.longestName().substring(2);
    }

    private static Set<String> settingNames(CommandLine commandLine) {
        final Set<String> names = new TreeSet<>();
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            if (isSetting(option) && !CONFIG.equals(option.longestName())) {
                names.add(settingName(option));
            }
        }
        return names;
    }

    static String envName(OptionSpec option) {
        return "NOVA_" + option.longestName().substring(2).replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Host and port as they appear in a URL, with an IPv6 literal in brackets. */
    static String authority(String host, int port) {
        return (host.indexOf(':') >= 0 ? '[' + host + ']' : host) + ':' + port;
    }

    // picocli's own ${env:...} reads System.getenv(); a provider over a map lets tests supply the environment.
    private static IDefaultValueProvider defaults(Map<String, String> env, Map<String, String> fileValues) {
        return argSpec -> {
            if (!(argSpec instanceof OptionSpec option) || !isSetting(option)) {
                return null;
            }
            final String fromEnv = env.get(envName(option));
            // null falls back to the option's own defaultValue.
            return fromEnv != null ? fromEnv : fileValues.get(settingName(option));
        };
    }

    private static LogFormat convertLogFormat(String text) {
        try {
            return LogFormat.parse(text);
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException(e.getMessage());
        }
    }

    private static Duration convertDuration(String text) {
        try {
            return Durations.parseDuration(text);
        } catch (IllegalArgumentException e) {
            // As a TypeConversionException, picocli reports our message instead of a stack-trace-like one.
            throw new TypeConversionException(e.getMessage());
        }
    }

    private ServerConfig toConfig() {
        return ServerConfig.builder()
                .host(host).port(port)
                .internalHost(internalHost).internalPort(internalPort)
                .jwtSecret(jwtSecret == null ? null : jwtSecret.getBytes(UTF_8))
                .jwksUrl(jwksUrl).jwksRefresh(jwksRefresh).jwtAudience(jwtAudience).jwtIssuer(jwtIssuer)
                .pingInterval(pingInterval).pingTimeout(pingTimeout).idleTimeout(idleTimeout)
                .viewerCountInterval(viewerCountInterval).viewerCountBudget(viewerCountBudget)
                .bufferSize(bufferSize).maxFrameBytes(maxFrameBytes)
                .maxConnections(maxConnections).ioThreads(ioThreads)
                .endGracePeriod(endGracePeriod).shutdownGrace(shutdownGrace)
                .demoStream(demoStream).allowedOrigins(allowedOrigins).inboundRate(inboundRate, inboundBurst)
                .maxConnectionsPerIp(maxConnectionsPerIp).handshakeRatePerIp(handshakeRatePerIp, handshakeBurstPerIp)
                .tokenExpiryWarning(tokenExpiryWarning)
                .tls(tlsCert, tlsKey).internalTls(internalTlsCert, internalTlsKey)
                .tlsReloadInterval(tlsReloadInterval)
                .build();
    }

    /** Dev mode for a configuration without any token key, or {@code null}: a JWKS alone is not dev mode. */
    static DevMode devModeFor(ServerConfig config, SecureRandom random) {
        return config.devMode() ? DevMode.generate(random) : null;
    }

    private static void start(Launch launch) {
        launch.logFormat().apply();
        final ServerConfig parsedConfig = launch.config();
        final DevMode devMode = devModeFor(parsedConfig, new SecureRandom());
        final ServerConfig config = devMode == null ? parsedConfig : devMode.configure(parsedConfig);
        final NovaServer server;
        try {
            server = NovaServer.start(config);
        } catch (IllegalArgumentException e) {
            // A setting only the start can check, such as a certificate that does not match its key, or a JWKS
            // that cannot be read.
            System.err.println("nova-server: " + asOptionName(newCommandLine(Map.of()), e.getMessage()));
            System.exit(EXIT_USAGE);
            return;
        } catch (Exception e) {
            logger.error("nova-server failed to start", e);
            System.exit(EXIT_FAILURE);
            return;
        }
        // A hook covers every other way out; after SIGTERM or SIGINT the graceful stop ends in exit 0, which
        // the JVM's own signal handling (128 + the signal) would not give.
        Runtime.getRuntime().addShutdownHook(new Thread(server::close, "nova-server-shutdown"));
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> new Thread(() -> {
                logger.info("SIG{}: draining viewers for up to {}", name, Durations.format(config.shutdownGrace()));
                server.close();
                System.exit(0);
            }, "nova-server-stop").start());
        }
        logger.info("nova-server listening: viewers on {}{}, internal API on {}{}",
                    config.viewerTls() ? "wss://" : "ws://", authority(config.host(), server.port()),
                    config.internalTls() ? "https://" : "http://",
                    authority(config.internalHost(), server.internalPort()));
        if (devMode != null) {
            System.out.print(devMode.banner(config, server.port(), server.internalPort()));
            System.out.flush();
        }
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            final String version = Main.class.getPackage().getImplementationVersion();
            return new String[] { "nova-server " + (version == null ? "(development build)" : version) };
        }
    }
}
