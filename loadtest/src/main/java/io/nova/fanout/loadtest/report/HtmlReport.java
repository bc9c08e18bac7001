package io.nova.fanout.loadtest.report;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.nova.fanout.loadtest.latency.LatencySummary;
import io.nova.fanout.loadtest.latency.PercentilePoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * The {@code --html} page: one self-contained file (no script, no external font or stylesheet) with the
 * summary, the latency percentile plot and the run over time, drawn as inline SVG from a {@link RunReport}.
 */
public final class HtmlReport {
    private static final String[] STEP_COLORS = {"#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02",
                                                 "#a6761d", "#666666"};
    private static final String ALL = "#1f5fbf";
    private static final String HEALTHY = "#2ca02c";
    private static final String P99 = "#d62728";

    private static final String STYLE = String.join("\n",
            "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;",
            "  margin:24px auto;max-width:1040px;color:#222;padding:0 12px}",
            "h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px}",
            ".sub{color:#666;margin:0 0 12px}table{border-collapse:collapse;margin:6px 0 12px}",
            "td,th{padding:3px 10px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}",
            "th{background:#f6f6f6;font-weight:600}td:first-child,th:first-child{text-align:left}",
            ".facts td{text-align:left}.facts td:first-child{color:#555;width:170px}",
            "svg{max-width:100%;height:auto;border:1px solid #eee}svg text{font:12px system-ui,sans-serif;fill:#333}",
            "svg .title{font-size:14px;font-weight:600}svg .tick{fill:#555}svg .label{fill:#333}svg .muted{fill:#999}",
            "svg .legend{fill:#333}svg .grid{stroke:#eee}svg .axis{stroke:#999}",
            "svg .marker{stroke:#aaa;stroke-dasharray:4 3}svg .marker-label{fill:#777;font-size:11px}",
            ".notes li{margin:4px 0}code{background:#f4f4f4;padding:0 3px}");

    public void write(RunReport report, Path file) throws IOException {
        Files.writeString(file, render(report), UTF_8);
    }

    public String render(RunReport report) {
        StringBuilder html = new StringBuilder(64 * 1024);
        html.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .append("<title>nova-loadtest: ").append(Html.escape(report.label())).append("</title>\n")
            .append("<style>\n").append(STYLE).append("\n</style>\n</head>\n<body>\n");
        html.append("<h1>nova-loadtest: ").append(Html.escape(report.label())).append("</h1>\n");
        html.append("<p class=\"sub\">").append(Html.escape(report.url())).append(" &middot; ")
            .append(Html.escape(report.startedAt())).append(" to ").append(Html.escape(report.finishedAt()))
            .append(" &middot; ").append(report.machine().cores()).append(" cores, ")
            .append(Html.escape(report.machine().os())).append(", Java ").append(Html.escape(report.machine().java()))
            .append("</p>\n");

        summary(html, report);
        html.append("<h2>Delivery latency by percentile</h2>\n").append(percentileChart(report).render());
        html.append("<h2>Run over time</h2>\n");
        html.append(timeChart(report, "Delivered messages per second", "msgs/s",
                List.of(series(report, "msgs/s", ALL, RunReport.TimelinePoint::messagesPerSecond))));
        html.append(timeChart(report, "Delivery latency per second (events received in that second)", "ms",
                List.of(series(report, "p50", ALL, RunReport.TimelinePoint::p50Ms),
                        series(report, "p99", P99, RunReport.TimelinePoint::p99Ms))));
        html.append(timeChart(report, "Connected viewers", "viewers",
                List.of(series(report, "connected", HEALTHY, point -> (double) point.connected()))));
        steps(html, report);
        server(html, report);
        notes(html);
        options(html, report);
        return html.append("</body>\n</html>\n").toString();
    }

    private static void summary(StringBuilder html, RunReport report) {
        RunReport.ConnectFigures connect = report.connect();
        RunReport.DeliveryFigures delivery = report.delivery();
        html.append("<h2>Summary</h2>\n<table>\n<tr><th>latency (ms)</th><th>count</th><th>mean</th><th>p50</th><th>p90</th>")
            .append("<th>p99</th><th>p99.9</th><th>max</th></tr>\n");
        latencyRow(html, "connect", connect.latencyMs());
        latencyRow(html, "delivery, all viewers", delivery.latencyMs());
        latencyRow(html, "delivery, healthy viewers", delivery.healthyLatencyMs());
        html.append("</table>\n<table class=\"facts\">\n");
        fact(html, "viewers", report.options().get("viewers") + " on " + report.options().get("streams") + " streams: "
                + connect.attempted() + " connects, " + connect.connected() + " succeeded, " + connect.failed() + " failed; "
                + connect.connectedAtEnd() + " connected at the end");
        fact(html, "initial connects", Format.decimal(connect.durationSeconds(), 2) + " s, "
                + Format.decimal(connect.ratePerSecond(), 1) + " per second");
        fact(html, "refusals", Format.counts(connect.refused()) + "; other failures: " + Format.counts(connect.failureReasons()));
        fact(html, "delivered", Format.decimal(delivery.messagesPerSecond(), 1) + " msgs/s: " + delivery.received()
                + " received over " + Format.decimal(delivery.measuredSeconds(), 1) + " s after the warmup");
        fact(html, "published", delivery.published() + " events, " + delivery.publishErrors() + " errors; publisher lag max "
                + Format.ms(delivery.publisherMaxLagMs()) + " ms");
        fact(html, "gaps", delivery.gaps() + " missed events (healthy viewers: " + delivery.healthyGaps() + ")");
        fact(html, "drop notices", report.dropNotices() + " (" + report.droppedMessages() + " messages dropped)");
        fact(html, "closes by code", Format.counts(report.closes()));
        fact(html, "errors", String.valueOf(report.errors()));
        html.append("</table>\n");
    }

    private static SvgChart percentileChart(RunReport report) {
        SvgChart chart = new SvgChart("Delivery latency by percentile, after the warmup", "percentile", "ms", SvgChart.XAxis.NINES);
        if (!report.steps().isEmpty()) {
            for (int i = 0; i < report.steps().size(); i++) {
                RunReport.StepFigures step = report.steps().get(i);
                chart.add(new SvgChart.Series("step " + step.step() + " @ " + Format.decimal(step.publishRate(), 0) + "/s",
                        STEP_COLORS[i % STEP_COLORS.length], percentilePoints(step.percentileDistribution())));
            }
            return chart;
        }
        chart.add(new SvgChart.Series("all viewers", ALL, percentilePoints(report.percentileDistribution())));
        if (!Objects.equals(report.percentileDistribution(), report.healthyPercentileDistribution())) {
            chart.add(new SvgChart.Series("healthy viewers", HEALTHY, percentilePoints(report.healthyPercentileDistribution())));
        }
        return chart;
    }

    private static List<double[]> percentilePoints(List<PercentilePoint> distribution) {
        List<double[]> points = new ArrayList<>();
        for (PercentilePoint point : distribution) {
            if (point.percentile() <= PercentilePoint.LAST_PERCENTILE) {
                points.add(new double[] {point.percentile(), point.latencyMs()});
            }
        }
        return points;
    }

    private static String timeChart(RunReport report, String title, String yLabel, List<SvgChart.Series> lines) {
        SvgChart chart = new SvgChart(title, "seconds since start", yLabel, SvgChart.XAxis.LINEAR);
        lines.forEach(chart::add);
        List<RunReport.TimelinePoint> timeline = report.timeline();
        if (!timeline.isEmpty()) {
            // Every chart over time spans the whole run, so that they line up one above the other.
            long first = timeline.get(0).second();
            chart.xRange(first, Math.max(timeline.get(timeline.size() - 1).second(), first + 1));
        }
        String previous = null;
        for (RunReport.TimelinePoint point : report.timeline()) {
            if (previous != null && !previous.equals(point.phase())) {
                chart.marker(point.second() - 1, point.phase());
            }
            previous = point.phase();
        }
        return chart.render();
    }

    private static SvgChart.Series series(RunReport report, String name, String color,
                                          Function<RunReport.TimelinePoint, Double> value) {
        List<double[]> points = new ArrayList<>();
        for (RunReport.TimelinePoint point : report.timeline()) {
            Double y = value.apply(point);
            if (y != null) {
                points.add(new double[] {point.second(), y});
            }
        }
        return new SvgChart.Series(name, color, points);
    }

    private static void steps(StringBuilder html, RunReport report) {
        if (report.steps().isEmpty()) {
            return;
        }
        html.append("<h2>Steps</h2>\n<table>\n<tr><th>step</th><th>rate/s per stream</th><th>seconds</th><th>received</th>")
            .append("<th>msgs/s</th><th>p50</th><th>p90</th><th>p99</th><th>p99.9</th><th>max</th><th></th></tr>\n");
        for (RunReport.StepFigures step : report.steps()) {
            LatencySummary latency = step.latencyMs();
            html.append("<tr><td>").append(step.step()).append("</td><td>").append(Format.decimal(step.publishRate(), 1))
                .append("</td><td>").append(Format.decimal(step.durationSeconds(), 1)).append("</td><td>").append(step.received())
                .append("</td><td>").append(Format.decimal(step.messagesPerSecond(), 1)).append("</td>");
            for (Double value : new Double[] {latency.p50(), latency.p90(), latency.p99(), latency.p999(), latency.max()}) {
                html.append("<td>").append(Format.ms(value)).append("</td>");
            }
            html.append("<td>").append(step.completed() ? "" : "cut short").append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void server(StringBuilder html, RunReport report) {
        List<ServerHighlights.Row> rows = ServerHighlights.of(report.serverMetrics());
        if (rows.isEmpty()) {
            return;
        }
        html.append("<h2>Server metrics</h2>\n<table>\n<tr><th>metric</th><th>before</th><th>after</th><th>change</th></tr>\n");
        for (ServerHighlights.Row row : rows) {
            Double change = row.before() == null || row.after() == null ? null : row.after() - row.before();
            html.append("<tr><td>").append(Html.escape(row.label())).append("</td><td>").append(Format.number(row.before()))
                .append("</td><td>").append(Format.number(row.after())).append("</td><td>").append(Format.number(change))
                .append("</td></tr>\n");
        }
        html.append("</table>\n");
    }

    private static void notes(StringBuilder html) {
        html.append("<h2>How to read this page</h2>\n<ul class=\"notes\">\n")
            .append("<li><b>Delivery latency</b> runs from the time an event was <i>scheduled</i> to be published to its receipt ")
            .append("by a viewer, so a publisher or server that falls behind shows up as latency instead of hiding it.</li>\n")
            .append("<li>The <b>percentile plot</b> spaces 90%, 99%, 99.9% and 99.99% evenly: a flat line is a tight ")
            .append("distribution, a line that shoots up on the right is a tail.</li>\n")
            .append("<li><b>Healthy viewers</b> read everything and answer pings; slow and silent viewers are left out ")
            .append("of that line.</li>\n")
            .append("<li>The charts over time show one point per second, with dashed lines where a phase (warmup, step) begins. ")
            .append("Latency per second covers the events received in that second, warmup included.</li>\n")
            .append("</ul>\n");
    }

    private static void options(StringBuilder html, RunReport report) {
        html.append("<h2>Options</h2>\n<table class=\"facts\">\n");
        for (Map.Entry<String, Object> option : report.options().entrySet()) {
            fact(html, option.getKey(), String.valueOf(option.getValue()));
        }
        html.append("</table>\n");
    }

    private static void latencyRow(StringBuilder html, String name, LatencySummary latency) {
        html.append("<tr><td>").append(name).append("</td><td>").append(latency.count()).append("</td>");
        Double[] values = {latency.mean(), latency.p50(), latency.p90(), latency.p99(), latency.p999(), latency.max()};
        for (Double value : values) {
            html.append("<td>").append(Format.ms(value)).append("</td>");
        }
        html.append("</tr>\n");
    }

    private static void fact(StringBuilder html, String name, String value) {
        html.append("<tr><td>").append(Html.escape(name)).append("</td><td>").append(Html.escape(value)).append("</td></tr>\n");
    }
}
