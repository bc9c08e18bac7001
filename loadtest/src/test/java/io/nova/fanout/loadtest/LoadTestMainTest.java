package io.nova.fanout.loadtest;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class LoadTestMainTest {
    private static final String SECRET = "0123456789abcdef0123456789abcdef-test";

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    @Test
    void helpDocumentsEveryOptionWithItsDefault() {
        assertThat(run("--help")).isEqualTo(LoadTestMain.EXIT_OK);

        String help = out.toString(UTF_8);
        for (String option : new String[] {"--url", "--internal-url", "--jwt-secret", "--token-file", "--broadcaster-token",
                "--viewers", "--streams", "--stream-prefix", "--[no-]register", "--connect-rate", "--publish-rate",
                "--rate-steps", "--step-duration", "--stop-above-p99", "--duration", "--warmup", "--slow-fraction",
                "--slow-receive-buffer", "--silent-fraction", "--churn-rate", "--source-addresses", "--metrics-url", "--report", "--html", "--label",
                "--io-threads", "--connect-timeout", "--idle"}) {
            assertThat(help).as(option).contains(option);
        }
        assertThat(help.split("Default:", -1)).hasSizeGreaterThanOrEqualTo(28);
    }

    @Test
    void badArgumentsExitWithTwoAndOneLine() {
        assertUsageError(new String[] {"--viewers", "none"}, "nova-loadtest: Invalid value for option '--viewers'");
        assertUsageError(new String[] {"--frobnicate"}, "nova-loadtest: Unknown option: '--frobnicate'");
        assertUsageError(new String[] {"--viewers", "10"}, "nova-loadtest: tokens: give exactly one of --jwt-secret and --token-file");
        assertUsageError(new String[] {"--jwt-secret", "short"}, "nova-loadtest: jwt-secret: 5 bytes (expected: >= 32 bytes");
        assertUsageError(new String[] {"--jwt-secret", SECRET, "--duration", "soon"},
                "nova-loadtest: Invalid value for option '--duration': invalid duration 'soon'");
        assertUsageError(new String[] {"--jwt-secret", SECRET, "--slow-fraction", "0.8", "--silent-fraction", "0.4"},
                "nova-loadtest: silent-fraction: 0.4 (expected: at most 1 - slow-fraction)");
        assertUsageError(new String[] {"--jwt-secret", SECRET, "--slow-receive-buffer", "100"},
                "nova-loadtest: slow-receive-buffer: 100 (expected: 0, or 1024..67108864)");
        assertUsageError(new String[] {"--jwt-secret", SECRET, "--stop-above-p99", "50ms"},
                "nova-loadtest: stop-above-p99: only applies with --rate-steps");
        assertUsageError(new String[] {"--jwt-secret", SECRET, "--url", "http://127.0.0.1:8080"},
                "nova-loadtest: url: http://127.0.0.1:8080 (expected: ws://HOST[:PORT][/PATH])");
        assertUsageError(new String[] {"--jwt-secret", SECRET, "--internal-url", "http://no-such-host.invalid:8081"},
                "nova-loadtest: internal-url: unknown host no-such-host.invalid");
        assertUsageError(new String[] {"--jwt-secret", SECRET, "--stream-prefix", "a/b"},
                "nova-loadtest: stream-prefix: a/b (expected: stream ids matching");
    }

    @Test
    void refusesMoreViewersThanTheOpenFileLimitHolds() {
        assertThatThrownBy(() -> LoadTestMain.checkOpenFileLimit(25_000, OptionalLong.of(20_000)))
                .hasMessage("viewers: 25000 (expected: <= 19936: the open-file limit is 20000)");
        LoadTestMain.checkOpenFileLimit(19_936, OptionalLong.of(20_000));
        LoadTestMain.checkOpenFileLimit(1_000_000, OptionalLong.empty());
    }

    private void assertUsageError(String[] args, String expectedStart) {
        err.reset();
        assertThat(run(args)).as(String.join(" ", args)).isEqualTo(LoadTestMain.EXIT_USAGE);
        String message = err.toString(UTF_8);
        assertThat(message).startsWith(expectedStart);
        assertThat(message.strip().lines()).hasSize(1);
    }

    private int run(String... args) {
        return LoadTestMain.run(args, new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8));
    }
}
