package io.nova.fanout.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code loadtest/bench.sh} left in its results directory:
 * <ul>
 *   <li>{@code machine.json}: the machine (cores, memory, CPU model, kernel, {@code ulimit -n}, versions);</li>
 *   <li>{@code run.json}: the run (command, commit, start and end, idle viewers of the connections scenario);</li>
 *   <li>{@code SERVER-SCENARIO.json}: the load tester's report;</li>
 *   <li>{@code SERVER-SCENARIO.server.json}: the server process's CPU seconds, RSS and heap around the run;</li>
 *   <li>{@code SERVER-SCENARIO.html}: the load tester's page, linked from the markdown.</li>
 * </ul>
 * Anything missing or unreadable is kept as absent (and said so in {@link #problems()}), never guessed.
 */
public final class BenchResults {
    /** The servers compared, in the order bench.sh runs them. */
    public static final List<String> SERVERS = List.of("nova", "node-ws");
    public static final String NOVA = "nova";
    public static final String NODE = "node-ws";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;
    private final JsonNode machine;
    private final JsonNode run;
    private final Map<Scenario, Map<String, Run>> runs;
    private final List<String> problems;

    /** One server in one scenario. */
    public record Run(String server, Scenario scenario, JsonNode report, JsonNode process, Path html) {
        /** The load tester's report was found and read. */
        public boolean ran() {
            return report != null;
        }

        public Double report(String... path) {
            return Json.num(report, path);
        }

        public Double process(String... path) {
            return Json.num(process, path);
        }

        /** The load tester's CPU cores used on average (bench.sh samples it every second: a slight undercount). */
        public Double loadTesterCores() {
            return perWallSecond(process("loadtest_cpu_seconds"));
        }

        /**
         * CPU cores busy on the whole machine on average during the run: every process, the kernel working
         * for them, and interrupt work (which no process is charged for).
         */
        public Double machineCores() {
            Double busy = process("machine_busy_cpu_seconds");
            Double irq = process("machine_irq_cpu_seconds");
            return perWallSecond(busy == null ? null : busy + (irq == null ? 0 : irq));
        }

        /** Interrupt work (irq + softirq, e.g. delivering loopback packets) in cores, on average. */
        public Double interruptCores() {
            return perWallSecond(process("machine_irq_cpu_seconds"));
        }

        /**
         * CPU cores used by everything else on the machine during the run: all busy CPU time minus the
         * server's and the load tester's. More than a little means the figures were disturbed.
         */
        public Double otherCores() {
            Double busy = process("machine_busy_cpu_seconds");
            Double server = process("cpu_seconds");
            Double tester = process("loadtest_cpu_seconds");
            if (busy == null || server == null || tester == null) {
                return null;
            }
            return perWallSecond(Math.max(0, busy - server - tester));
        }

        private Double perWallSecond(Double seconds) {
            Double wall = process("wall_seconds");
            return seconds == null || wall == null || wall <= 0 ? null : seconds / wall;
        }

        /**
         * The share of the server's CPU time spent in the kernel (its system time), 0 to 1: on loopback that
         * includes the receiving side of every TCP segment it sends, which the kernel does in the sender's call.
         */
        public Double kernelShare() {
            Double cpu = process("cpu_seconds");
            Double system = process("system_cpu_seconds");
            return cpu == null || system == null || cpu <= 0 ? null : Math.min(1, system / cpu);
        }

        /**
         * Server CPU time per delivered message in microseconds: all of the run's CPU time (connects and
         * closes included) divided by the messages the viewers received in the measured time.
         */
        public Double cpuMicrosPerMessage() {
            Double cpu = process("cpu_seconds");
            Double received = report("delivery", "received");
            return cpu == null || received == null || received <= 0 ? null : cpu * 1e6 / received;
        }

        /** Server CPU cores used on average: CPU seconds of the process divided by wall seconds. */
        public Double coresUsed() {
            Double cpu = process("cpu_seconds");
            Double wall = process("wall_seconds");
            return cpu == null || wall == null || wall <= 0 ? null : cpu / wall;
        }
    }

    private BenchResults(Path dir, JsonNode machine, JsonNode run, Map<Scenario, Map<String, Run>> runs,
            List<String> problems) {
        this.dir = dir;
        this.machine = machine;
        this.run = run;
        this.runs = runs;
        this.problems = problems;
    }

    public static BenchResults load(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("no results directory " + dir);
        }
        List<String> problems = new ArrayList<>();
        JsonNode machine = read(dir.resolve("machine.json"), problems);
        JsonNode run = read(dir.resolve("run.json"), problems);
        Map<Scenario, Map<String, Run>> runs = new EnumMap<>(Scenario.class);
        for (Scenario scenario : Scenario.values()) {
            Map<String, Run> byServer = new LinkedHashMap<>();
            for (String server : SERVERS) {
                String base = server + "-" + scenario.id();
                JsonNode report = read(dir.resolve(base + ".json"), problems);
                JsonNode process = read(dir.resolve(base + ".server.json"), problems);
                Path html = dir.resolve(base + ".html");
                byServer.put(server, new Run(server, scenario, report, process, Files.isRegularFile(html) ? html : null));
            }
            runs.put(scenario, byServer);
        }
        return new BenchResults(dir, machine == null ? MissingNode.getInstance() : machine,
                run == null ? MissingNode.getInstance() : run, runs, Collections.unmodifiableList(problems));
    }

    private static JsonNode read(Path file, List<String> problems) {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                problems.add(file.getFileName() + ": not a JSON object");
                return null;
            }
            return node;
        } catch (IOException e) {
            problems.add(file.getFileName() + ": unreadable (" + e.getMessage().lines().findFirst().orElse("") + ")");
            return null;
        }
    }

    public Path dir() {
        return dir;
    }

    public JsonNode machine() {
        return machine;
    }

    public JsonNode run() {
        return run;
    }

    public Run get(Scenario scenario, String server) {
        return runs.get(scenario).get(server);
    }

    /** Input files that exist but could not be used. */
    public List<String> problems() {
        return problems;
    }
}
