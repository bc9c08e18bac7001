package io.nova.fanout.loadtest.bench;

import java.util.List;

/**
 * The targets of issue 3 for the server, judged from the measured figures. The thresholds are the
 * targets' definitions; everything compared with them is read from the results.
 */
public final class Targets {
    public static final double FANOUT_MIN_RATIO = 3.0;
    public static final double MANY_STREAMS_MAX_P99_MS = 10.0;
    /** 8 KB of heap per idle viewer, read as 8 KiB. */
    public static final double CONNECTIONS_MAX_HEAP_PER_VIEWER = 8 * 1024;
    public static final double SLOW_VIEWERS_MAX_P99_RATIO = 1.20;

    public enum Status {
        MET("MET"),
        NOT_MET("NOT MET"),
        NOT_RUN("not run"),
        NO_DATA("no data");

        private final String label;

        Status(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One row of the targets table. */
    public record Result(Scenario scenario, String target, String measured, Status status) {
    }

    private Targets() {
    }

    public static List<Result> evaluate(BenchResults results) {
        return List.of(fanout(results), manyStreams(results), connections(results), slowViewers(results));
    }

    static Result fanout(BenchResults results) {
        Scenario s = Scenario.FANOUT;
        String target = String.format(java.util.Locale.ROOT,
                "Nova delivers at least %.0f× the messages/s of node-ws with p99 under %.0f ms",
                FANOUT_MIN_RATIO, Figures.FANOUT_P99_BOUND_MS);
        BenchResults.Run nova = results.get(s, BenchResults.NOVA);
        BenchResults.Run node = results.get(s, BenchResults.NODE);
        if (!nova.ran() || !node.ran()) {
            return new Result(s, target, notRunText(nova, node), Status.NOT_RUN);
        }
        Double novaRate = Figures.bestFanoutRate(nova);
        Double nodeRate = Figures.bestFanoutRate(node);
        if (novaRate == null || nodeRate == null) {
            return new Result(s, target, "no rate steps in " + (novaRate == null ? "nova" : "node-ws") + "'s report",
                    Status.NO_DATA);
        }
        String both = "nova " + Fmt.rate(novaRate) + " msgs/s, node-ws " + Fmt.rate(nodeRate) + " msgs/s";
        if (novaRate == 0 && nodeRate == 0) {
            return new Result(s, target, "neither server kept a step under the bound (first step's p99: nova "
                    + Fmt.ms(firstStepP99(nova)) + ", node-ws " + Fmt.ms(firstStepP99(node)) + ")", Status.NOT_MET);
        }
        if (nodeRate == 0) {
            return new Result(s, target, both + " (node-ws kept no step under the bound)",
                    novaRate > 0 ? Status.MET : Status.NOT_MET);
        }
        double ratio = novaRate / nodeRate;
        return new Result(s, target, both + ": " + Fmt.ratio(ratio),
                ratio >= FANOUT_MIN_RATIO ? Status.MET : Status.NOT_MET);
    }

    static Result manyStreams(BenchResults results) {
        Scenario s = Scenario.MANY_STREAMS;
        String target = String.format(java.util.Locale.ROOT, "Nova p99 under %.0f ms", MANY_STREAMS_MAX_P99_MS);
        BenchResults.Run nova = results.get(s, BenchResults.NOVA);
        if (!nova.ran()) {
            return new Result(s, target, "nova: not run", Status.NOT_RUN);
        }
        Double p99 = nova.report("delivery", "latency_ms", "p99");
        if (p99 == null) {
            return new Result(s, target, "no p99 in nova's report", Status.NO_DATA);
        }
        return new Result(s, target, "p99 " + Fmt.ms(p99), p99 < MANY_STREAMS_MAX_P99_MS ? Status.MET : Status.NOT_MET);
    }

    static Result connections(BenchResults results) {
        Scenario s = Scenario.CONNECTIONS;
        String target = String.format(java.util.Locale.ROOT,
                "Nova uses at most %,.0f bytes (8 KiB) of heap per idle viewer, after a full GC",
                CONNECTIONS_MAX_HEAP_PER_VIEWER);
        BenchResults.Run nova = results.get(s, BenchResults.NOVA);
        if (!nova.ran()) {
            return new Result(s, target, "nova: not run", Status.NOT_RUN);
        }
        Double perViewer = Figures.heapPerIdleViewer(nova);
        if (perViewer == null) {
            return new Result(s, target, "no heap measurement with the viewers connected", Status.NO_DATA);
        }
        return new Result(s, target, Fmt.bytes(perViewer) + " per viewer, " + Fmt.count(nova.process("viewers_loaded"))
                + " viewers", perViewer <= CONNECTIONS_MAX_HEAP_PER_VIEWER ? Status.MET : Status.NOT_MET);
    }

    static Result slowViewers(BenchResults results) {
        Scenario s = Scenario.SLOW_VIEWERS;
        String target = String.format(java.util.Locale.ROOT,
                "Nova's healthy viewers' p99 within %.0f %% of scenario 2's p99", (SLOW_VIEWERS_MAX_P99_RATIO - 1) * 100);
        BenchResults.Run slow = results.get(s, BenchResults.NOVA);
        BenchResults.Run base = results.get(Scenario.MANY_STREAMS, BenchResults.NOVA);
        if (!slow.ran() || !base.ran()) {
            return new Result(s, target, (slow.ran() ? "" : "nova slow-viewers: not run")
                    + (!slow.ran() && !base.ran() ? "; " : "") + (base.ran() ? "" : "nova many-streams: not run"),
                    Status.NOT_RUN);
        }
        Double healthy = slow.report("delivery", "healthy_latency_ms", "p99");
        Double baseline = base.report("delivery", "latency_ms", "p99");
        if (healthy == null || baseline == null) {
            return new Result(s, target, healthy == null ? "no healthy-viewer p99 in the report" : "no p99 in scenario 2",
                    Status.NO_DATA);
        }
        Double ratio = Figures.ratio(healthy, baseline);
        String measured = "healthy p99 " + Fmt.ms(healthy) + " vs " + Fmt.ms(baseline) + " (" + Fmt.percentChange(ratio) + ")";
        if (baseline >= MANY_STREAMS_MAX_P99_MS) {
            measured += "; scenario 2 itself missed its p99 target, so this compares two overloaded runs";
        }
        boolean met = ratio != null ? ratio <= SLOW_VIEWERS_MAX_P99_RATIO : healthy <= baseline;
        return new Result(s, target, measured, met ? Status.MET : Status.NOT_MET);
    }

    private static Double firstStepP99(BenchResults.Run run) {
        var steps = Figures.steps(run);
        return steps.isEmpty() ? null : Json.num(steps.get(0), "latency_ms", "p99");
    }

    private static String notRunText(BenchResults.Run nova, BenchResults.Run node) {
        if (!nova.ran() && !node.ran()) {
            return "nova and node-ws: not run";
        }
        return (nova.ran() ? "node-ws" : "nova") + ": not run";
    }
}
