package io.nova.fanout.loadtest.report;

import io.nova.fanout.loadtest.latency.LatencySummary;
import java.io.PrintStream;
import java.util.List;
import java.util.Locale;

/** The summary printed at the end of a run: the report's figures as aligned text. */
public final class SummaryTable {
    private static final String RULE = "=".repeat(104);
    private static final String THIN_RULE = "-".repeat(104);
    private static final String LATENCY_ROW = "%-26s %10s %10s %10s %10s %10s %10s %10s%n";
    private static final String STEP_ROW = "  %4s %9s %8s %9s %12s %9s %9s %9s %9s %9s %9s%n";
    private static final String METRIC_ROW = "  %-30s %20s %20s %20s%n";

    private SummaryTable() {}

    public static void print(RunReport report, PrintStream out) {
        RunReport.ConnectFigures connect = report.connect();
        RunReport.DeliveryFigures delivery = report.delivery();
        out.println(RULE);
        out.printf(Locale.ROOT, "nova-loadtest summary: %s  (%s, %s viewers on %s streams, %s, %d cores)%n",
                report.label(), report.url(), report.options().get("viewers"), report.options().get("streams"),
                report.transport(), report.machine().cores());
        out.println(THIN_RULE);
        out.printf(Locale.ROOT, LATENCY_ROW, "latency (ms)", "count", "mean", "p50", "p90", "p99", "p99.9", "max");
        latencyRow(out, "connect", connect.latencyMs());
        latencyRow(out, "delivery, all viewers", delivery.latencyMs());
        latencyRow(out, "delivery, healthy viewers", delivery.healthyLatencyMs());
        out.println(THIN_RULE);
        out.printf(Locale.ROOT, "connect    %d attempted, %d connected, %d failed, %d connected at the end; "
                        + "initial connects took %s s (%s/s)%s%n",
                connect.attempted(), connect.connected(), connect.failed(), connect.connectedAtEnd(),
                Format.decimal(connect.durationSeconds(), 2), Format.decimal(connect.ratePerSecond(), 1),
                connect.sourceAddressesExhausted() == 0 ? ""
                        : "; " + connect.sourceAddressesExhausted() + " source address(es) ran out of ports");
        out.printf(Locale.ROOT, "refusals   %s; other failures: %s%n", Format.counts(connect.refused()),
                Format.counts(connect.failureReasons()));
        out.printf(Locale.ROOT, "delivery   %d published (%d errors), %d received (healthy %d): %s msgs/s over %s s%n",
                delivery.published(), delivery.publishErrors(), delivery.received(), delivery.healthyReceived(),
                Format.decimal(delivery.messagesPerSecond(), 1), Format.decimal(delivery.measuredSeconds(), 1));
        out.printf(Locale.ROOT, "gaps       %d missed events (healthy viewers: %d)%n", delivery.gaps(), delivery.healthyGaps());
        out.printf(Locale.ROOT, "publisher  lag behind schedule: max %s ms, mean %s ms%s%n",
                Format.ms(delivery.publisherMaxLagMs()), Format.ms(delivery.publisherMeanLagMs()),
                delivery.publishErrorReasons().isEmpty() ? "" : "; errors: " + Format.counts(delivery.publishErrorReasons()));
        out.printf(Locale.ROOT, "drops      %d MESSAGES_DROPPED notices, %d messages dropped%n", report.dropNotices(),
                report.droppedMessages());
        out.printf(Locale.ROOT, "closes     %s%n", Format.counts(report.closes()));
        out.printf(Locale.ROOT, "errors     %d%n", report.errors());
        if (!report.steps().isEmpty()) {
            out.println(THIN_RULE);
            out.printf(Locale.ROOT, STEP_ROW, "step", "rate/s", "seconds", "received", "msgs/s", "p50", "p90", "p99", "p99.9",
                    "max", "");
            for (RunReport.StepFigures step : report.steps()) {
                LatencySummary latency = step.latencyMs();
                out.printf(Locale.ROOT, STEP_ROW, step.step(), Format.decimal(step.publishRate(), 1),
                        Format.decimal(step.durationSeconds(), 1), step.received(), Format.decimal(step.messagesPerSecond(), 1),
                        Format.ms(latency.p50()), Format.ms(latency.p90()), Format.ms(latency.p99()), Format.ms(latency.p999()),
                        Format.ms(latency.max()), step.completed() ? "" : "(cut short)");
            }
        }
        List<ServerHighlights.Row> server = ServerHighlights.of(report.serverMetrics());
        if (!server.isEmpty()) {
            out.println(THIN_RULE);
            out.printf(Locale.ROOT, METRIC_ROW, "server (--metrics-url)", "before", "after", "change");
            for (ServerHighlights.Row row : server) {
                Double change = row.before() == null || row.after() == null ? null : row.after() - row.before();
                out.printf(Locale.ROOT, METRIC_ROW, row.label(), Format.number(row.before()), Format.number(row.after()),
                        Format.number(change));
            }
        }
        out.println(RULE);
    }

    private static void latencyRow(PrintStream out, String name, LatencySummary latency) {
        out.printf(Locale.ROOT, LATENCY_ROW, name, latency.count(), Format.ms(latency.mean()), Format.ms(latency.p50()),
                Format.ms(latency.p90()), Format.ms(latency.p99()), Format.ms(latency.p999()), Format.ms(latency.max()));
    }
}
