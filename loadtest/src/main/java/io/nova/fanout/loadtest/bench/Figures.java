package io.nova.fanout.loadtest.bench;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** Figures derived from one run's files: only arithmetic on what was measured. */
public final class Figures {
    /** The p99 bound of the fan-out scenario (issue 3: "until p99 latency passes 50 ms"). */
    public static final double FANOUT_P99_BOUND_MS = 50.0;

    private Figures() {
    }

    /** The steps of a stepped run, in the order they ran; empty when the report has none. */
    public static List<JsonNode> steps(BenchResults.Run run) {
        List<JsonNode> steps = new ArrayList<>();
        JsonNode array = Json.at(run.report(), "steps");
        if (array != null && array.isArray()) {
            array.forEach(steps::add);
        }
        return steps;
    }

    /**
     * The step with the highest delivered messages per second among those whose p99 stayed under
     * {@link #FANOUT_P99_BOUND_MS}; {@code null} when no step did (or there are no steps). A step the load
     * tester cut short ({@code "completed": false}) does not count.
     */
    public static JsonNode bestFanoutStep(BenchResults.Run run) {
        JsonNode best = null;
        double bestRate = -1;
        for (JsonNode step : steps(run)) {
            Double p99 = Json.num(step, "latency_ms", "p99");
            Double rate = Json.num(step, "messages_per_second");
            Double received = Json.num(step, "received");
            JsonNode completed = Json.at(step, "completed");
            if (completed != null && completed.isBoolean() && !completed.booleanValue()) {
                continue;
            }
            if (p99 == null || rate == null || p99 >= FANOUT_P99_BOUND_MS || (received != null && received <= 0)) {
                continue;
            }
            if (rate > bestRate) {
                bestRate = rate;
                best = step;
            }
        }
        return best;
    }

    /** Delivered messages per second of {@link #bestFanoutStep}; 0 when no step stayed under the bound. */
    public static Double bestFanoutRate(BenchResults.Run run) {
        if (!run.ran() || steps(run).isEmpty()) {
            return null;
        }
        JsonNode best = bestFanoutStep(run);
        return best == null ? Double.valueOf(0) : Json.num(best, "messages_per_second");
    }

    /** (heap after a full GC with the idle viewers connected - heap after a full GC with none) / viewers. */
    public static Double heapPerIdleViewer(BenchResults.Run run) {
        return perViewer(run.process("heap_loaded_bytes"), run.process("heap_before_bytes"), run.process("viewers_loaded"));
    }

    /** The same with the process's RSS: what the viewers cost the machine, off-heap buffers included. */
    public static Double rssPerIdleViewer(BenchResults.Run run) {
        return perViewer(run.process("rss_loaded_bytes"), run.process("rss_before_bytes"), run.process("viewers_loaded"));
    }

    private static Double perViewer(Double loaded, Double empty, Double viewers) {
        if (loaded == null || empty == null || viewers == null || viewers <= 0) {
            return null;
        }
        return (loaded - empty) / viewers;
    }

    /**
     * How much a server counter grew during the run, from the load tester's scrapes of {@code --metrics-url}
     * ({@code server_metrics.before} and {@code .after}); the first of {@code names} the server has.
     */
    public static Double serverCounterDelta(BenchResults.Run run, String... names) {
        for (String name : names) {
            Double after = Json.num(run.report(), "server_metrics", "after", name);
            if (after != null) {
                Double before = Json.num(run.report(), "server_metrics", "before", name);
                return after - (before == null ? 0 : before);
            }
        }
        return null;
    }

    /** {@code a / b}, or null. */
    public static Double ratio(Double a, Double b) {
        if (a == null || b == null || b == 0) {
            return null;
        }
        return a / b;
    }
}
