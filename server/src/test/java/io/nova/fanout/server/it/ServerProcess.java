package io.nova.fanout.server.it;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code nova-server} as an operator runs it: its own JVM, started through {@code Main} with a command line
 * and an environment, stopped with SIGTERM. Everything it prints is kept, line by line.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING =
            Pattern.compile("nova-server listening: viewers on [^ ,]+:(\\d+), internal API on [^ ,\"]+:(\\d+)");

    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final Thread reader;
    private int port;
    private int internalPort;

    private ServerProcess(Process process) {
        this.process = process;
        this.reader = new Thread(this::readOutput, "server-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts the server with {@code args} on loopback and free ports, and waits until it listens. */
    static ServerProcess start(Map<String, String> env, String... args) throws IOException, InterruptedException {
        ServerProcess server = launch(env, args);
        server.awaitListening(Duration.ofSeconds(60));
        return server;
    }

    /** Starts a server that should refuse to start; {@link #awaitExit} then gives its exit status. */
    static ServerProcess startExpectingRefusal(Map<String, String> env, String... args) throws IOException {
        return launch(env, args);
    }

    private static ServerProcess launch(Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dio.netty.leakDetection.level=paranoid", "-Xmx256m",
                // The production configuration, not the test classpath's logback-test.xml.
                "-Dlogback.configurationFile=" + ServerProcess.class.getResource("/logback.xml"),
                "-cp", System.getProperty("java.class.path"), "io.nova.fanout.server.Main",
                "--host", "127.0.0.1", "--port", "0", "--internal-host", "127.0.0.1", "--internal-port", "0"));
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("NOVA_"));
        builder.environment().putAll(env);
        return new ServerProcess(builder.start());
    }

    /** Waits for the process to exit by itself, with everything it printed read; returns its exit status. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("the server did not exit within " + timeout + "; output:\n"
                    + String.join("\n", output()));
        }
        reader.join(5_000);
        return process.exitValue();
    }

    int port() {
        return port;
    }

    int internalPort() {
        return internalPort;
    }

    /** Every line printed so far. */
    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** Waits until a printed line contains {@code text}. */
    String awaitLine(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (output) {
            while (true) {
                for (String line : output) {
                    if (line.contains(text)) {
                        return line;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no line containing '" + text + "' within " + timeout + "; output:\n"
                            + String.join("\n", output));
                }
                output.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
            }
        }
    }

    /** SIGTERM, as an orchestrator stops a server; returns the exit status. */
    int terminate(Duration timeout) throws InterruptedException {
        // Through the handle: Process.destroy() would also close our end of the output pipe, losing its last lines.
        process.toHandle().destroy();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            throw new AssertionError("the server did not exit within " + timeout + " of SIGTERM");
        }
        reader.join(5_000);
        return process.exitValue();
    }

    /** Kills the server if it still runs, and keeps what it printed beside the tests' own log, for LogTokenScanTest. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        reader.join(5_000);
        Path logs = Path.of(System.getProperty("nova.test.logs", "target/test-logs"));
        try {
            Files.createDirectories(logs);
            Files.write(logs.resolve("server-process-" + process.pid() + ".log"), output(), UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitListening(Duration timeout) throws InterruptedException {
        String line;
        try {
            line = awaitLine("nova-server listening", timeout);
        } catch (AssertionError e) {
            close();
            throw e;
        }
        Matcher m = LISTENING.matcher(line);
        if (!m.find()) {
            throw new AssertionError("cannot read the ports from: " + line);
        }
        port = Integer.parseInt(m.group(1));
        internalPort = Integer.parseInt(m.group(2));
    }

    private void readOutput() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                synchronized (output) {
                    output.add(line);
                    output.notifyAll();
                }
            }
        } catch (IOException e) {
            synchronized (output) {
                output.add("(output unreadable: " + e + ")");
                output.notifyAll();
            }
        }
    }
}
