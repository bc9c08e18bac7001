package io.nova.fanout.loadtest.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes docs/benchmarks.md from the results directory of {@code loadtest/bench.sh}:
 * <pre>
 * java -cp loadtest/target/nova-loadtest.jar io.nova.fanout.loadtest.bench.BenchReport \
 *     --results docs/benchmarks --out docs/benchmarks.md
 * </pre>
 */
@Command(name = "bench-report", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Turns the results of loadtest/bench.sh (load tester reports, server CPU/RSS/heap figures, machine "
                    + "description) into the comparison tables and targets of docs/benchmarks.md.",
            "Profile notes kept by hand in benchmarks-notes.md next to the output are copied in verbatim."})
public final class BenchReport implements Callable<Integer> {
    @Option(names = "--results", required = true, paramLabel = "DIR",
            description = "Directory bench.sh wrote: machine.json, run.json, SERVER-SCENARIO.json, "
                    + "SERVER-SCENARIO.server.json and SERVER-SCENARIO.html.")
    Path results;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "Markdown file to write.")
    Path out;

    @Option(names = "--notes", paramLabel = "FILE",
            description = "Profile notes copied verbatim into the \"Profile notes\" section "
                    + "(default: benchmarks-notes.md next to --out). Absent is fine.")
    Path notes;

    @Override
    public Integer call() throws IOException {
        Path outFile = out.toAbsolutePath().normalize();
        Path outDir = outFile.getParent();
        Path notesFile = (notes != null ? notes : outDir.resolve("benchmarks-notes.md")).toAbsolutePath().normalize();
        BenchResults data = BenchResults.load(results);
        String notesText = Files.isRegularFile(notesFile) ? Files.readString(notesFile, StandardCharsets.UTF_8) : null;
        String markdown = new BenchMarkdown(data, relative(outDir, results), notesText, relative(outDir, notesFile))
                .render();
        Files.createDirectories(outDir);
        Files.writeString(outFile, markdown, StandardCharsets.UTF_8);
        return 0;
    }

    /** {@code target} as a forward-slash path relative to {@code from}, for markdown links. */
    static String relative(Path from, Path target) {
        Path rel = from.relativize(target.toAbsolutePath().normalize());
        String text = rel.toString().replace('\\', '/');
        return text.isEmpty() ? "." : text;
    }

    public static int run(String... args) {
        return run(new PrintWriter(System.err, true), args);
    }

    public static int run(PrintWriter err, String... args) {
        CommandLine cli = new CommandLine(new BenchReport());
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("bench-report: " + e.getMessage());
            return 1;
        });
        return cli.execute(args);
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }
}
