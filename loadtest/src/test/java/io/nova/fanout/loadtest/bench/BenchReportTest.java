package io.nova.fanout.loadtest.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * BenchReport on the fixture results in src/test/resources/.../bench/results: every target met there
 * (nova 1,600,000 msgs/s vs node-ws 200,000 in the fan-out, p99 3.2 ms, 5,000 B per idle viewer, healthy
 * p99 3.5 ms vs 3.2 ms); the tests edit copies to miss targets or drop scenarios.
 */
class BenchReportTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Path results;
    private Path out;

    @BeforeEach
    void copyFixtures() throws IOException, URISyntaxException {
        Path fixtures = Path.of(BenchReportTest.class.getResource("results").toURI());
        results = tmp.resolve("docs/benchmarks");
        Files.createDirectories(results);
        try (Stream<Path> files = Files.list(fixtures)) {
            for (Path f : files.toList()) {
                Files.copy(f, results.resolve(f.getFileName()));
            }
        }
        out = tmp.resolve("docs/benchmarks.md");
    }

    private String generate() throws IOException {
        StringWriter err = new StringWriter();
        int code = BenchReport.run(new PrintWriter(err, true), "--results", results.toString(), "--out", out.toString());
        assertThat(code).as("exit code; stderr: %s", err).isZero();
        return Files.readString(out, StandardCharsets.UTF_8);
    }

    /** The row of the targets table for a scenario title. */
    private static String targetRow(String markdown, String scenarioTitle) {
        String targets = markdown.substring(markdown.indexOf("## Targets"), markdown.indexOf("## 1. Fan-out"));
        return targets.lines().filter(l -> l.startsWith("| " + scenarioTitle + " |")).findFirst()
                .orElseThrow(() -> new AssertionError("no target row for " + scenarioTitle + " in\n" + targets));
    }

    private static String section(String markdown, String heading) {
        int start = markdown.indexOf("## " + heading);
        assertThat(start).as("section %s", heading).isNotNegative();
        int end = markdown.indexOf("\n## ", start + 3);
        return markdown.substring(start, end < 0 ? markdown.length() : end);
    }

    private ObjectNode readJson(String name) throws IOException {
        return (ObjectNode) JSON.readTree(results.resolve(name).toFile());
    }

    private void writeJson(String name, ObjectNode node) throws IOException {
        JSON.writeValue(results.resolve(name).toFile(), node);
    }

    @Test
    void allTargetsMetWithTheFiguresFromTheFiles() throws IOException {
        String md = generate();

        assertThat(targetRow(md, "1. Fan-out")).contains("nova 1,600,000 msgs/s, node-ws 200,000 msgs/s: 8.00×")
                .endsWith("| **MET** |");
        assertThat(targetRow(md, "2. Many streams")).contains("p99 3.20 ms").endsWith("| **MET** |");
        assertThat(targetRow(md, "3. Connections")).contains("5,000 B (4.9 KiB) per viewer, 19,500 viewers")
                .endsWith("| **MET** |");
        assertThat(targetRow(md, "4. Slow viewers")).contains("healthy p99 3.50 ms vs 3.20 ms (+9.4 %)")
                .endsWith("| **MET** |");
        assertThat(section(md, "Targets")).doesNotContain("**NOT MET**").doesNotContain("| not run |");
        assertThat(md).doesNotContain(": not run*");
    }

    @Test
    void headerMachineAndScenarioTables() throws IOException {
        String md = generate();

        assertThat(md).startsWith("# Benchmarks\n")
                .contains("Produced by `bash loadtest/bench.sh`, run from 2026-11-22T06:00:00Z to 2026-11-22T06:09:30Z "
                        + "(9 min 30 s), at commit `abc1234`.");
        String machine = section(md, "Machine");
        assertThat(machine).contains("| CPU | Test CPU 9000, 2 cores |")
                .contains("`ulimit -n` is 20000 here: the connections scenario opens 19,500 viewers (500 descriptors "
                        + "left for everything else)")
                .contains("| Node.js | v20.20.2, ws 8.23.0 |")
                .contains("Debian GNU/Linux 12 (bookworm), kernel 6.1.0-test");

        String fanout = section(md, "1. Fan-out");
        assertThat(fanout).contains("| **Delivered messages/s at that step** | **1,600,000** | **200,000** | 8.00× |")
                .contains("| Highest step with p99 under the bound (events/s published) | 160 | 20 | 8.00× |")
                .contains("| p99 at that step | 41.5 ms | 45.0 ms | 0.92× |")
                .contains("| Server CPU, cores used over the run | 1.25 | 1.00 |")
                // node-ws stopped after 40 events/s: the later steps are shown as not run
                .contains("| 320 | 3,200,000 | 60.0 ms | 180 ms | not run |  |  |")
                .contains("[nova](benchmarks/nova-fanout.html), [node-ws](benchmarks/node-ws-fanout.html)");

        String many = section(md, "2. Many streams");
        assertThat(many).contains("| Latency **p99** | 3.20 ms | 25.0 ms | 0.13× |")
                .contains("| **Server CPU, cores used** | **0.75** | **0.94** | 0.80× |");

        String connections = section(md, "3. Connections");
        assertThat(connections).contains("| **Heap per idle viewer** | **5,000 B (4.9 KiB)** | **9,000 B (8.8 KiB)** | 0.56× |")
                .contains("| RSS per idle viewer | 20,000 B (19.5 KiB) | 30,000 B (29.3 KiB) | 0.67× |")
                .contains("| Connect rate (connections/s) | 9,750 | 9,750 | 1.00× |");

        String slow = section(md, "4. Slow viewers");
        assertThat(slow).contains("| **Healthy p99 vs scenario 2 p99** | **+9.4 %** | **+40.0 %** |  |")
                .contains("| Closes by code | 4000: 3 | none |  |")
                .contains("| Events dropped by the server (its `*_messages_dropped_total`) | 120,000 | 5,000 |  |")
                .contains("| MESSAGES_DROPPED notices | 950 | 0 |  |")
                .contains("| Server RSS, peak | 381.5 MiB | 858.3 MiB |  |");
    }

    @Test
    void targetsNotMet() throws IOException {
        // Fan-out: nova's best step under 50 ms is now 40 events/s = 400,000 msgs/s, 2x node-ws.
        ObjectNode fanout = readJson("nova-fanout.json");
        ArrayNode steps = (ArrayNode) fanout.get("steps");
        for (int i = 5; i < steps.size(); i++) {
            ((ObjectNode) steps.get(i).get("latency_ms")).put("p99", 75.0);
        }
        writeJson("nova-fanout.json", fanout);
        ObjectNode many = readJson("nova-many-streams.json");
        ((ObjectNode) many.get("delivery").get("latency_ms")).put("p99", 12.5);
        writeJson("nova-many-streams.json", many);
        ObjectNode connections = readJson("nova-connections.server.json");
        connections.put("heap_loaded_bytes", 30_000_000L + 19_500L * 9_000);
        writeJson("nova-connections.server.json", connections);
        ObjectNode slow = readJson("nova-slow-viewers.json");
        ((ObjectNode) slow.get("delivery").get("healthy_latency_ms")).put("p99", 15.5); // vs 12.5: +24 %
        writeJson("nova-slow-viewers.json", slow);

        String md = generate();

        assertThat(targetRow(md, "1. Fan-out")).contains("nova 400,000 msgs/s, node-ws 200,000 msgs/s: 2.00×")
                .endsWith("| **NOT MET** |");
        assertThat(targetRow(md, "2. Many streams")).contains("p99 12.5 ms").endsWith("| **NOT MET** |");
        assertThat(targetRow(md, "3. Connections")).contains("9,000 B (8.8 KiB) per viewer").endsWith("| **NOT MET** |");
        assertThat(targetRow(md, "4. Slow viewers")).contains("healthy p99 15.5 ms vs 12.5 ms (+24.0 %); scenario 2 "
                + "itself missed its p99 target, so this compares two overloaded runs").endsWith("| **NOT MET** |");
    }

    @Test
    void aMissingScenarioIsReportedAsNotRun() throws IOException {
        for (String f : List.of("nova-connections.json", "nova-connections.server.json", "node-ws-connections.json",
                "node-ws-connections.server.json", "node-ws-fanout.json", "node-ws-fanout.server.json",
                "node-ws-fanout.html")) {
            Files.delete(results.resolve(f));
        }

        String md = generate();

        assertThat(targetRow(md, "3. Connections")).contains("nova: not run").endsWith("| not run |");
        assertThat(targetRow(md, "1. Fan-out")).contains("node-ws: not run").endsWith("| not run |");
        assertThat(targetRow(md, "2. Many streams")).endsWith("| **MET** |");
        String connections = section(md, "3. Connections");
        assertThat(connections).contains("*nova: not run* (no benchmarks/nova-connections.json).")
                .contains("*node-ws: not run*").doesNotContain("| Viewers connected |");
        String fanout = section(md, "1. Fan-out");
        assertThat(fanout).contains("*node-ws: not run*")
                .contains("| **Delivered messages/s at that step** | **1,600,000** | not run |  |")
                .contains("[nova](benchmarks/nova-fanout.html).");
    }

    @Test
    void aBaselineThatKeptNoStepUnderTheBoundStillCompares() throws IOException {
        ObjectNode node = readJson("node-ws-fanout.json");
        for (var step : node.get("steps")) {
            ((ObjectNode) step.get("latency_ms")).put("p99", 51.0);
        }
        writeJson("node-ws-fanout.json", node);

        String md = generate();

        assertThat(targetRow(md, "1. Fan-out"))
                .contains("nova 1,600,000 msgs/s, node-ws 0 msgs/s (node-ws kept no step under the bound)")
                .endsWith("| **MET** |");
    }

    @Test
    void neitherServerUnderTheBound() throws IOException {
        for (String file : List.of("nova-fanout.json", "node-ws-fanout.json")) {
            ObjectNode report = readJson(file);
            for (var step : report.get("steps")) {
                ((ObjectNode) step.get("latency_ms")).put("p99", 102.0);
            }
            writeJson(file, report);
        }

        String md = generate();

        assertThat(targetRow(md, "1. Fan-out"))
                .contains("neither server kept a step under the bound (first step's p99: nova 102 ms, node-ws 102 ms)")
                .endsWith("| **NOT MET** |");
    }

    @Test
    void aStepCutShortDoesNotCount() throws IOException {
        ObjectNode nova = readJson("nova-fanout.json");
        ((ObjectNode) nova.get("steps").get(6)).put("completed", false); // the 160 events/s step

        writeJson("nova-fanout.json", nova);
        String md = generate();

        assertThat(targetRow(md, "1. Fan-out")).contains("nova 800,000 msgs/s, node-ws 200,000 msgs/s: 4.00×");
    }

    @Test
    void unreadableInputIsNamedAndCountsAsNotRun() throws IOException {
        Files.writeString(results.resolve("nova-many-streams.json"), "{\"label\": ");

        String md = generate();

        assertThat(md).contains("Input files that could not be used: nova-many-streams.json: unreadable");
        assertThat(targetRow(md, "2. Many streams")).endsWith("| not run |");
        assertThat(targetRow(md, "4. Slow viewers")).contains("nova many-streams: not run").endsWith("| not run |");
    }

    @Test
    void profileNotesAreCopiedVerbatim() throws IOException {
        String notes = "### Fan-out loop\n\nJFR showed `Fanout.publish` at 41 % of samples; *after* the change: 12 %.\n";
        Files.writeString(tmp.resolve("docs/benchmarks-notes.md"), notes);

        String md = generate();

        assertThat(section(md, "Profile notes")).contains(notes);
    }

    @Test
    void withoutNotesTheSectionSaysWhereToWriteThem() throws IOException {
        String md = generate();

        assertThat(section(md, "Profile notes")).contains("None yet. Notes written in benchmarks-notes.md");
    }

    @Test
    void otherProcessesUsingTheCpuAreShownAndWarnedAbout() throws IOException {
        String quiet = generate();
        assertThat(quiet).doesNotContain("**Warning**");
        assertThat(section(quiet, "2. Many streams")).contains("| Load tester CPU, cores used | 0.50 | 0.50 |  |")
                .contains("| Other processes' CPU, cores used | 0.05 | 0.05 |  |")
                .contains("| Kernel interrupt work (irq + softirq), cores | 0.10 | 0.10 |  |")
                .contains("| Whole machine CPU busy, cores | 1.40 | 1.59 |  |");

        ObjectNode process = readJson("nova-many-streams.server.json");
        process.put("machine_busy_cpu_seconds", 24.0 + 16.0 + 16.0); // 16 s of someone else's CPU in 32 s
        writeJson("nova-many-streams.server.json", process);
        String md = generate();

        assertThat(md).contains("**Warning**: other processes used CPU while these runs were measured (cores used on "
                + "average): nova many-streams (0.50).");
        assertThat(section(md, "2. Many streams")).contains("| Other processes' CPU, cores used | 0.50 | 0.05 |  |");
    }

    @Test
    void kernelShareCpuPerMessageMessagesSentAndWarmUpAreComputedFromTheFiles() throws IOException {
        String before = generate();
        // Older results have no system time and no warm-up field: n/a and no row, never a made-up figure.
        assertThat(section(before, "2. Many streams"))
                .contains("| Share of the server's CPU spent in the kernel (system time) | n/a | n/a |  |")
                // 24 s and 30 s of CPU for 3,000,000 messages each
                .contains("| Server CPU per delivered message (whole run, connects included) | 8.00 µs | 10.0 µs | 0.80× |");
        assertThat(section(before, "Machine")).doesNotContain("Warm-up");

        ObjectNode nova = readJson("nova-many-streams.server.json");
        nova.put("system_cpu_seconds", 18.0);
        writeJson("nova-many-streams.server.json", nova);
        ObjectNode node = readJson("node-ws-many-streams.server.json");
        node.put("system_cpu_seconds", 12.0);
        writeJson("node-ws-many-streams.server.json", node);
        ObjectNode run = readJson("run.json");
        run.put("warmup", "nova-loadtest --streams 100 --viewers 10000");
        writeJson("run.json", run);
        String md = generate();

        assertThat(section(md, "2. Many streams"))
                .contains("| Share of the server's CPU spent in the kernel (system time) | 75 % | 40 % |  |");
        assertThat(section(md, "Machine")).contains("| Warm-up | each server got one unrecorded run, "
                + "`nova-loadtest --streams 100 --viewers 10000`, before its first scenario |");

        assertThat(section(md, "3. Connections"))
                .contains("| Messages the server sent while they connected (its `*_messages_sent_total`) | n/a | n/a |  |");
        ObjectNode connections = readJson("nova-connections.json");
        ((ObjectNode) connections.get("server_metrics").get("before")).put("nova_messages_sent_total", 1_000);
        ((ObjectNode) connections.get("server_metrics").get("after")).put("nova_messages_sent_total", 301_000);
        writeJson("nova-connections.json", connections);
        assertThat(section(generate(), "3. Connections"))
                .contains("| Messages the server sent while they connected (its `*_messages_sent_total`) | 300,000 | n/a |  |");

        run.putNull("warmup");
        writeJson("run.json", run);
        assertThat(section(generate(), "Machine")).contains("| Warm-up | none: each server was measured from its start |");
    }

    @Test
    void aFailedLoadTesterRunIsMentioned() throws IOException {
        ObjectNode process = readJson("node-ws-many-streams.server.json");
        process.put("loadtest_exit_code", 3);
        writeJson("node-ws-many-streams.server.json", process);

        String md = generate();

        assertThat(section(md, "2. Many streams")).contains("The load tester exited with code 3.");
    }

    @Test
    void missingResultsDirectoryFails() {
        StringWriter err = new StringWriter();
        int code = BenchReport.run(new PrintWriter(err, true), "--results", tmp.resolve("nope").toString(),
                "--out", out.toString());
        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("no results directory");
    }
}
