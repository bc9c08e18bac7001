package io.nova.fanout.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The handful of server metrics worth a line in the summary: its own view of connections, fan-out and drops,
 * and what the run cost it in heap and CPU. Everything else stays in the JSON report.
 */
public final class ServerHighlights {

    /** One highlighted figure; {@code before} or {@code after} is {@code null} when the server lacks it. */
    public record Row(String label, Double before, Double after) {
    }

    private ServerHighlights() {}

    public static List<Row> of(RunReport.ServerMetrics metrics) {
        List<Row> rows = new ArrayList<>();
        if (metrics == null) {
            return rows;
        }
        add(rows, metrics, "nova_viewers_connected", "nova_viewers_connected", "");
        add(rows, metrics, "nova_messages_sent_total", "nova_messages_sent_total", "");
        add(rows, metrics, "nova_messages_dropped_total", "nova_messages_dropped_total", "");
        add(rows, metrics, "jvm heap used bytes (sum)", "jvm_memory_used_bytes", "area=\"heap\"");
        add(rows, metrics, "process_cpu_usage", "process_cpu_usage", "");
        add(rows, metrics, "system_cpu_usage", "system_cpu_usage", "");
        add(rows, metrics, "jvm_threads_live_threads", "jvm_threads_live_threads", "");
        add(rows, metrics, "gc pause seconds (sum)", "jvm_gc_pause_seconds_sum", "");
        return rows;
    }

    private static void add(List<Row> rows, RunReport.ServerMetrics metrics, String label, String name, String labelFilter) {
        Double before = value(metrics.before(), name, labelFilter);
        Double after = value(metrics.after(), name, labelFilter);
        if (before != null || after != null) {
            rows.add(new Row(label, before, after));
        }
    }

    private static Double value(Map<String, Double> samples, String name, String labelFilter) {
        boolean present = samples != null
                && samples.keySet().stream().anyMatch(series -> series.equals(name) || series.startsWith(name + "{"));
        if (!present) {
            return null;
        }
        return PrometheusText.sum(samples, name, labelFilter);
    }
}
