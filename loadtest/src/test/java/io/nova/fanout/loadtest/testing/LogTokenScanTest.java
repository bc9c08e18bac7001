package io.nova.fanout.loadtest.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.nova.fanout.server.auth.TokenMinter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No test of the build logged a token. Runs on its own after every other test (an execution of its own at
 * {@code verify} in loadtest/pom.xml, the last module): reads every line that the server's and the load
 * tester's tests logged, at every level the server uses, the output of every server process they started,
 * and the end-to-end test's server output, and fails on anything shaped like a JWT: every token the tests
 * issue, or any part of one that is at least its header's first dozen characters.
 */
class LogTokenScanTest {
    /** The start of a base64url JSON object, as every JWT header and payload is. */
    private static final Pattern TOKEN_PART = Pattern.compile("eyJ[A-Za-z0-9_-]{8,}");

    private final Path root = Path.of(System.getProperty("nova.build.root", ".."));

    @Test
    void noLineLoggedByTheWholeTestSuiteHoldsAToken() throws IOException {
        List<Path> logs = new ArrayList<>();
        logs.addAll(required("server/target/test-logs", "server.log"));
        logs.addAll(required("server/target/test-logs", "server-process-"));
        // The handshake fuzz tests send real tokens through the viewer pipeline, in a JVM of their own.
        logs.addAll(required("server/target/test-logs-fuzz", "server.log"));
        logs.addAll(required("loadtest/target/test-logs", "loadtest.log"));
        if (!Boolean.parseBoolean(System.getProperty("nova.e2e.skipped", "false"))) {
            logs.addAll(required("server/target/e2e", "server-"));
        }
        List<String> findings = new ArrayList<>();
        long lines = 0;
        for (Path log : logs) {
            List<String> content = Files.readAllLines(log, UTF_8);
            lines += content.size();
            for (int i = 0; i < content.size(); i++) {
                String found = tokenIn(content.get(i));
                if (found != null) {
                    findings.add(root.relativize(log) + ":" + (i + 1) + ": " + found);
                }
            }
        }
        System.out.printf("[LogTokenScan] %d lines in %d files scanned%n", lines, logs.size());

        // The capture reaches the handshake path, where tokens arrive: otherwise the scan proves nothing.
        assertThat(Files.readString(root.resolve("server/target/test-logs/server.log"), UTF_8))
                .contains("viewer handshake accepted: ", "viewer handshake refused: 401 ");
        assertThat(findings).as("log lines holding a token").isEmpty();
    }

    @Test
    void theScanFindsATokenWhereverALineHoldsIt() {
        String token = new TokenMinter("a-secret-of-at-least-32-bytes-for-the-scan".getBytes(StandardCharsets.UTF_8),
                Clock.systemUTC()).viewerToken("scan-viewer", Duration.ofMinutes(1));

        assertThat(tokenIn("GET /api/v1/streams/s/ws?token=" + token + " HTTP/1.1")).isNotNull();
        assertThat(tokenIn("{\"formattedMessage\":\"Authorization: Bearer " + token + "\"}")).isNotNull();
        assertThat(tokenIn("refused " + token.substring(0, 12) + "...")).as("a token cut short").isNotNull();
        assertThat(tokenIn("payload only: " + token.substring(token.indexOf('.') + 1))).isNotNull();
        assertThat(tokenIn("viewer handshake refused: 401 CONNECTION_REJECTED \"invalid or expired token\" peer=127.0.0.1"))
                .isNull();
        assertThat(tokenIn("session_ade6636ce200faf2e33bc85cd2aaa023 eyJ")).as("too short to be a token").isNull();
    }

    /** Where a line holds a token, its first characters (a finding must not leak the token in turn). */
    private static String tokenIn(String line) {
        Matcher m = TOKEN_PART.matcher(line);
        return m.find() ? "token-shaped text at column " + (m.start() + 1) + " starting " + line.substring(m.start(), m.start() + 6) + "..." : null;
    }

    /** The files in {@code dir} whose names start with {@code prefix}; at least one, none empty. */
    private List<Path> required(String dir, String prefix) throws IOException {
        Path folder = root.resolve(dir);
        assertThat(folder).as("%s (run the whole build: mvn -B verify)", folder).isDirectory();
        List<Path> files;
        try (Stream<Path> listing = Files.list(folder)) {
            files = listing.filter(p -> p.getFileName().toString().startsWith(prefix)).sorted().toList();
        }
        assertThat(files).as("%s/%s*", dir, prefix).isNotEmpty();
        for (Path file : files) {
            assertThat(Files.size(file)).as("%s", file).isPositive();
        }
        return files;
    }
}
