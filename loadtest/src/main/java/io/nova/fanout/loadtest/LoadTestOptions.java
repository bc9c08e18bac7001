package io.nova.fanout.loadtest;

import io.nova.fanout.server.Durations;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** The {@code nova-loadtest} command line; every option is documented in {@code --help} with its default. */
@Command(name = "nova-loadtest", mixinStandardHelpOptions = true, sortOptions = false, usageHelpWidth = 120,
         versionProvider = LoadTestMain.Version.class,
         description = {
             "Drives a Nova Fanout server (or anything speaking its protocol) with simulated viewers and a broadcaster,",
             "and measures connect and end-to-end delivery latency from each event's scheduled send time.",
             ""},
         footer = {"",
             "Durations are an integer followed by ms, s, m or h (250ms, 30s, 5m). Exit status: 0 after a run, 1 when the",
             "run could not go on (server unreachable, tokens refused), 2 for invalid options.",
             "See docs/loadtest.md for what every figure means."})
final class LoadTestOptions {

    @Option(names = "--url", paramLabel = "URL", defaultValue = "ws://127.0.0.1:8080",
            description = "Viewer base URL; /api/v1/streams/{id}/ws?token=... is appended. Default: ${DEFAULT-VALUE}.")
    URI url;

    @Option(names = "--internal-url", paramLabel = "URL", defaultValue = "http://127.0.0.1:8081",
            description = "Broadcaster API base URL. Default: ${DEFAULT-VALUE}.")
    URI internalUrl;

    @Option(names = "--jwt-secret", paramLabel = "SECRET",
            description = "The server's token secret: viewer tokens (sub lt-viewer-<n>) and a broadcaster token are minted "
                    + "with it, valid for the run plus 1h. Either this or --token-file. Default: none.")
    String jwtSecret;

    @Option(names = "--token-file", paramLabel = "FILE",
            description = "Viewer tokens, one a line, used round-robin. Either this or --jwt-secret. Default: none.")
    Path tokenFile;

    @Option(names = "--broadcaster-token", paramLabel = "TOKEN",
            description = "Broadcaster token; required with --token-file to register or publish. Default: minted from "
                    + "--jwt-secret.")
    String broadcasterToken;

    @Option(names = "--viewers", paramLabel = "N", defaultValue = "100",
            description = "Viewer connections; at most the open-file limit minus 64. Default: ${DEFAULT-VALUE}.")
    int viewers;

    @Option(names = "--streams", paramLabel = "S", defaultValue = "1",
            description = "Streams the viewers are spread over, round-robin. Default: ${DEFAULT-VALUE}.")
    int streams;

    @Option(names = "--stream-prefix", paramLabel = "P", defaultValue = "lt",
            description = "Stream ids are P-0 .. P-(S-1). Default: ${DEFAULT-VALUE}.")
    String streamPrefix;

    @Option(names = "--register", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Register the streams (PUT metadata) and start them before connecting; a 409 on start means "
                    + "already live, which is fine. --no-register uses streams as they are. Default: ${DEFAULT-VALUE}.")
    boolean register;

    @Option(names = "--connect-rate", paramLabel = "R", defaultValue = "1000",
            description = "Viewer connects started per second. Default: ${DEFAULT-VALUE}.")
    double connectRate;

    @Option(names = "--publish-rate", paramLabel = "R", defaultValue = "10",
            description = "bitrate_update events per second per stream. Default: ${DEFAULT-VALUE}.")
    double publishRate;

    @Option(names = "--rate-steps", paramLabel = "RATE", split = ",",
            description = "Publish at each rate in turn for --step-duration, with figures per step; overrides "
                    + "--publish-rate and --duration. Default: none.")
    List<Double> rateSteps = new ArrayList<>();

    @Option(names = "--step-duration", paramLabel = "DURATION", defaultValue = "10s",
            description = "Length of each rate step. Default: ${DEFAULT-VALUE}.")
    Duration stepDuration;

    @Option(names = "--stop-above-p99", paramLabel = "DURATION",
            description = "Stop stepping after the first step whose delivery p99 exceeds this. Default: none.")
    Duration stopAboveP99;

    @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "30s",
            description = "Measured publishing time without --rate-steps (after --warmup); with --idle, how long "
                    + "viewers are held. Default: ${DEFAULT-VALUE}.")
    Duration duration;

    @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "2s",
            description = "Publishing before the measured time; its latencies are not recorded. Default: ${DEFAULT-VALUE}.")
    Duration warmup;

    @Option(names = "--slow-fraction", paramLabel = "F", defaultValue = "0",
            description = "Share of viewers that stop reading after connection_established. Default: ${DEFAULT-VALUE}.")
    double slowFraction;

    @Option(names = "--slow-receive-buffer", paramLabel = "BYTES", defaultValue = "4096",
            description = "Socket receive buffer (SO_RCVBUF) of the slow viewers, so that what they stop reading "
                    + "backs up into the server within a short run, as behind a slow link; 0 keeps the system's "
                    + "autotuned buffer. Default: ${DEFAULT-VALUE}.")
    int slowReceiveBuffer;

    @Option(names = "--silent-fraction", paramLabel = "F", defaultValue = "0",
            description = "Share of viewers that never answer pings. Default: ${DEFAULT-VALUE}.")
    double silentFraction;

    @Option(names = "--churn-rate", paramLabel = "R", defaultValue = "0",
            description = "Healthy viewers disconnected and reconnected per second. Default: ${DEFAULT-VALUE}.")
    double churnRate;

    @Option(names = "--source-addresses", paramLabel = "ADDRESS", split = ",",
            description = "Local addresses viewers connect from, each used until it runs out of ephemeral ports. "
                    + "Default: 127.0.0.1, then .2 ... .64 against a loopback server; the system's choice otherwise.")
    List<String> sourceAddresses = new ArrayList<>();

    @Option(names = "--metrics-url", paramLabel = "URL",
            description = "The server's Prometheus endpoint, scraped before and after the run. Default: none.")
    URI metricsUrl;

    @Option(names = "--report", paramLabel = "FILE.json", description = "Write every figure as JSON. Default: none.")
    Path report;

    @Option(names = "--html", paramLabel = "FILE.html",
            description = "Write a self-contained HTML page with charts. Default: none.")
    Path html;

    @Option(names = "--label", paramLabel = "NAME", defaultValue = "target",
            description = "Name of the target in the reports. Default: ${DEFAULT-VALUE}.")
    String label;

    @Option(names = "--io-threads", paramLabel = "N", defaultValue = "0",
            description = "Viewer event loops; 0 means Netty's default, twice the cores. Default: ${DEFAULT-VALUE}.")
    int ioThreads;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", defaultValue = "10s",
            description = "From the start of a TCP connect to connection_established. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--idle", description = "Connect the viewers and hold them for --duration without publishing, "
            + "for connection-count scenarios. Default: off.")
    boolean idle;

    /** A command line that reads these options, with this tool's duration syntax. */
    static CommandLine newCommandLine() {
        return new CommandLine(new LoadTestOptions())
                .registerConverter(Duration.class, LoadTestOptions::duration)
                .setUsageHelpAutoWidth(false);
    }

    /** @throws IllegalArgumentException naming the first invalid option */
    LoadTestSettings toSettings() {
        return new LoadTestSettings(url, internalUrl, jwtSecret, tokenFile, broadcasterToken, viewers, streams,
                streamPrefix, register, connectRate, publishRate, rateSteps, stepDuration, stopAboveP99, duration,
                warmup, slowFraction, slowReceiveBuffer, silentFraction, churnRate, addresses(sourceAddresses), metricsUrl, report, html,
                label, ioThreads, connectTimeout, idle);
    }

    private static List<InetAddress> addresses(List<String> literals) {
        List<InetAddress> addresses = new ArrayList<>();
        for (String literal : literals) {
            try {
                addresses.add(InetAddress.getByName(literal.trim()));
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("source-addresses: " + literal + " (expected: local IP addresses)");
            }
        }
        return addresses;
    }

    private static Duration duration(String text) {
        try {
            return Durations.parseDuration(text);
        } catch (IllegalArgumentException e) {
            // As a TypeConversionException, picocli reports this message rather than a stack-trace-like one.
            throw new TypeConversionException(e.getMessage());
        }
    }
}
