package io.nova.fanout.loadtest;

import io.nova.fanout.loadtest.auth.FileTokens;
import io.nova.fanout.loadtest.auth.MintedTokens;
import io.nova.fanout.loadtest.auth.TokenSource;
import io.nova.fanout.loadtest.plan.PublishPlan;
import io.nova.fanout.protocol.ProtocolLimits;
import io.nova.fanout.server.Durations;
import io.nova.fanout.server.auth.TokenVerifier;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a run is told, validated once at construction so that the rest of the tool can trust every
 * value. Built from the command line by {@link LoadTestOptions}; tests build it the same way.
 *
 * @param jwtSecret the server's token secret, or {@code null} when tokens come from {@code tokenFile}
 * @param tokenFile one viewer token a line, or {@code null} when tokens are minted
 * @param broadcasterToken overrides the minted broadcaster token; required with {@code tokenFile} unless the
 *        run neither registers nor publishes
 * @param rateSteps publish rates of successive steps; empty for one steady {@code publishRate}
 * @param stopAboveP99 stop stepping after the first step whose p99 exceeds this, or {@code null}
 * @param sourceAddresses where viewers connect from; empty for the default (see {@link #defaultSourceAddresses})
 * @param metricsUrl the server's Prometheus endpoint, or {@code null}
 * @param report where to write the JSON report, or {@code null}
 * @param html where to write the HTML report, or {@code null}
 * @param ioThreads viewer event loops; 0 means Netty's default
 * @param idle connect viewers and hold them for {@code duration} without publishing
 */
public record LoadTestSettings(URI url, URI internalUrl, String jwtSecret, Path tokenFile, String broadcasterToken,
                               int viewers, int streams, String streamPrefix, boolean register, double connectRate,
                               double publishRate, List<Double> rateSteps, Duration stepDuration, Duration stopAboveP99,
                               Duration duration, Duration warmup, double slowFraction, int slowReceiveBuffer,
                               double silentFraction,
                               double churnRate, List<InetAddress> sourceAddresses, URI metricsUrl, Path report,
                               Path html, String label, int ioThreads, Duration connectTimeout, boolean idle) {

    private static final int MAX_VIEWERS = 10_000_000;
    private static final int MAX_STREAMS = 100_000;
    private static final int MAX_STEPS = 100;
    private static final double MAX_RATE = 1_000_000;
    private static final Duration MAX_DURATION = Duration.ofDays(1);
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(10);
    private static final int MAX_IO_THREADS = 1_024;
    /** Below this the kernel rounds a receive buffer up anyway (Linux: about 2 KiB). */
    private static final int MIN_RECEIVE_BUFFER = 1_024;
    private static final int MAX_RECEIVE_BUFFER = 64 * 1024 * 1024;
    /** Tokens outlive the run by this much, so that a slow run never sees them expire. */
    private static final Duration TOKEN_MARGIN = Duration.ofHours(1);

    /** @throws IllegalArgumentException naming the first invalid option, its value and what is expected */
    public LoadTestSettings {
        rateSteps = List.copyOf(rateSteps);
        sourceAddresses = List.copyOf(sourceAddresses);
        require("url", url, url != null && "ws".equals(url.getScheme()) && url.getHost() != null && url.getQuery() == null,
                "ws://HOST[:PORT][/PATH]");
        require("internal-url", internalUrl, internalUrl != null && "http".equals(internalUrl.getScheme())
                && internalUrl.getHost() != null && internalUrl.getQuery() == null, "http://HOST[:PORT][/PATH]");
        if ((jwtSecret == null) == (tokenFile == null)) {
            throw new IllegalArgumentException("tokens: give exactly one of --jwt-secret and --token-file");
        }
        if (jwtSecret != null) {
            int bytes = jwtSecret.getBytes(StandardCharsets.UTF_8).length;
            require("jwt-secret", bytes + " bytes", bytes >= TokenVerifier.MIN_SECRET_BYTES,
                    ">= " + TokenVerifier.MIN_SECRET_BYTES + " bytes, the server's own minimum");
        }
        if (tokenFile != null && broadcasterToken == null && (register || !idle)) {
            throw new IllegalArgumentException("broadcaster-token: required with --token-file to "
                    + (register ? "register streams" : "publish") + " (or use --jwt-secret)");
        }
        require("viewers", viewers, viewers >= 1 && viewers <= MAX_VIEWERS, "1.." + MAX_VIEWERS);
        require("streams", streams, streams >= 1 && streams <= MAX_STREAMS, "1.." + MAX_STREAMS);
        String lastStreamId = streamId(streamPrefix, streams - 1);
        require("stream-prefix", streamPrefix, streamPrefix != null && ProtocolLimits.isValidStreamId(lastStreamId),
                "stream ids matching " + ProtocolLimits.STREAM_ID_REGEX);
        require("connect-rate", connectRate, connectRate > 0 && connectRate <= MAX_RATE, "> 0 and <= " + (long) MAX_RATE);
        require("publish-rate", publishRate, publishRate > 0 && publishRate <= MAX_RATE, "> 0 and <= " + (long) MAX_RATE);
        require("rate-steps", rateSteps, rateSteps.size() <= MAX_STEPS
                && rateSteps.stream().allMatch(rate -> rate > 0 && rate <= MAX_RATE),
                "at most " + MAX_STEPS + " rates, each > 0");
        requireDuration("step-duration", stepDuration, false);
        requireDuration("duration", duration, false);
        requireDuration("warmup", warmup, true);
        requireDuration("connect-timeout", connectTimeout, false);
        require("connect-timeout", Durations.format(connectTimeout), connectTimeout.compareTo(MAX_CONNECT_TIMEOUT) <= 0,
                "<= " + Durations.format(MAX_CONNECT_TIMEOUT));
        if (stopAboveP99 != null) {
            requireDuration("stop-above-p99", stopAboveP99, false);
            if (rateSteps.isEmpty()) {
                throw new IllegalArgumentException("stop-above-p99: only applies with --rate-steps");
            }
        }
        require("slow-fraction", slowFraction, slowFraction >= 0 && slowFraction <= 1, "0..1");
        require("slow-receive-buffer", slowReceiveBuffer, slowReceiveBuffer == 0
                || (slowReceiveBuffer >= MIN_RECEIVE_BUFFER && slowReceiveBuffer <= MAX_RECEIVE_BUFFER),
                "0, or " + MIN_RECEIVE_BUFFER + ".." + MAX_RECEIVE_BUFFER);
        require("silent-fraction", silentFraction, silentFraction >= 0 && silentFraction <= 1, "0..1");
        require("silent-fraction", silentFraction, slowFraction + silentFraction <= 1, "at most 1 - slow-fraction");
        require("churn-rate", churnRate, churnRate >= 0 && churnRate <= MAX_RATE, "0.." + (long) MAX_RATE);
        require("metrics-url", metricsUrl, metricsUrl == null || (("http".equals(metricsUrl.getScheme())
                || "https".equals(metricsUrl.getScheme())) && metricsUrl.getHost() != null), "http://HOST[:PORT]/PATH");
        require("label", label, label != null && !label.isBlank(), "a non-blank name");
        require("io-threads", ioThreads, ioThreads >= 0 && ioThreads <= MAX_IO_THREADS, "0.." + MAX_IO_THREADS);
    }

    /** Stream ids {@code prefix-0} to {@code prefix-(streams-1)}. */
    public List<String> streamIds() {
        List<String> ids = new ArrayList<>(streams);
        for (int i = 0; i < streams; i++) {
            ids.add(streamId(streamPrefix, i));
        }
        return ids;
    }

    public PublishPlan plan() {
        return rateSteps.isEmpty() ? PublishPlan.steady(publishRate, warmup, duration)
                : PublishPlan.stepped(rateSteps, warmup, stepDuration);
    }

    /** A generous estimate of the run's length: paced connects, a connect timeout, then publishing or holding. */
    public Duration plannedLength() {
        Duration connecting = Duration.ofMillis((long) Math.ceil(viewers / connectRate * 1_000)).plus(connectTimeout);
        return connecting.plus(idle ? duration : Duration.ofMillis(plan().totalMillis()));
    }

    /** Viewer and broadcaster tokens as the options say: minted from the secret, or read from the file. */
    public TokenSource tokenSource() {
        if (jwtSecret != null) {
            return new MintedTokens(jwtSecret, plannedLength().plus(TOKEN_MARGIN), broadcasterToken);
        }
        return FileTokens.read(tokenFile, broadcasterToken);
    }

    /** Every option by its flag name in snake_case, as the report records it; secrets are redacted. */
    public Map<String, Object> reportOptions() {
        Map<String, Object> options = new LinkedHashMap<>();
        options.put("url", url.toString());
        options.put("internal_url", internalUrl.toString());
        options.put("jwt_secret", jwtSecret == null ? null : "<redacted>");
        options.put("token_file", tokenFile == null ? null : tokenFile.toString());
        options.put("broadcaster_token", broadcasterToken == null ? null : "<redacted>");
        options.put("viewers", viewers);
        options.put("streams", streams);
        options.put("stream_prefix", streamPrefix);
        options.put("register", register);
        options.put("connect_rate", connectRate);
        options.put("publish_rate", publishRate);
        options.put("rate_steps", rateSteps);
        options.put("step_duration", Durations.format(stepDuration));
        options.put("stop_above_p99", stopAboveP99 == null ? null : Durations.format(stopAboveP99));
        options.put("duration", Durations.format(duration));
        options.put("warmup", Durations.format(warmup));
        options.put("slow_fraction", slowFraction);
        options.put("slow_receive_buffer", slowReceiveBuffer);
        options.put("silent_fraction", silentFraction);
        options.put("churn_rate", churnRate);
        options.put("source_addresses", sourceAddresses.stream().map(InetAddress::getHostAddress).toList());
        options.put("metrics_url", metricsUrl == null ? null : metricsUrl.toString());
        options.put("report", report == null ? null : report.toString());
        options.put("html", html == null ? null : html.toString());
        options.put("label", label);
        options.put("io_threads", ioThreads);
        options.put("connect_timeout", Durations.format(connectTimeout));
        options.put("idle", idle);
        return options;
    }

    private static String streamId(String prefix, int index) {
        return prefix + "-" + index;
    }

    private static void require(String option, Object value, boolean valid, String expected) {
        if (!valid) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: " + expected + ")");
        }
    }

    private static void requireDuration(String option, Duration value, boolean zeroAllowed) {
        if (value == null || value.isNegative() || (!zeroAllowed && value.isZero()) || value.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException(option + ": " + (value == null ? "none" : Durations.format(value))
                    + " (expected: " + (zeroAllowed ? ">= 0s" : "> 0s") + " and <= " + Durations.format(MAX_DURATION) + ")");
        }
    }
}
