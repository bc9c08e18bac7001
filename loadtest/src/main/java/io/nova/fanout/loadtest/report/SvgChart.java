package io.nova.fanout.loadtest.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A line chart as inline SVG, so that the HTML report needs no script, font or network: axes with round tick
 * values, one polyline per series, a legend, and optional labelled vertical markers. The x axis is either
 * linear or the "nines" axis of latency percentile plots, where 90%, 99%, 99.9% and 99.99% are equally
 * spaced, so that the tail gets as much room as the median.
 */
public final class SvgChart {
    /** How the x values are placed. */
    public enum XAxis {
        LINEAR,
        /** x is a percentile; placed at -log10(1 - p/100), capped at 99.99%. */
        NINES
    }

    /** A named line of (x, y) points. */
    public record Series(String name, String color, List<double[]> points) {
    }

    private record Marker(double x, String label) {
    }

    private static final int WIDTH = 1000;
    private static final int HEIGHT = 320;
    private static final int LEFT = 78;
    private static final int RIGHT = 24;
    private static final int TOP = 34;
    private static final int BOTTOM = 46;
    private static final double MAX_NINES = 4; // 99.99%
    private static final int TARGET_TICKS = 6;

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final XAxis xAxis;
    private final List<Series> series = new ArrayList<>();
    private final List<Marker> markers = new ArrayList<>();
    private double[] xRange;

    public SvgChart(String title, String xLabel, String yLabel, XAxis xAxis) {
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.xAxis = xAxis;
    }

    public SvgChart add(Series line) {
        if (!line.points().isEmpty()) {
            series.add(line);
        }
        return this;
    }

    /** Fixes a linear x axis to {@code [min, max]}, so that charts of one run line up; data outside is clipped. */
    public SvgChart xRange(double min, double max) {
        xRange = new double[] {min, max};
        return this;
    }

    /** A dashed vertical line at {@code x}, labelled at the top. */
    public SvgChart marker(double x, String label) {
        markers.add(new Marker(x, label));
        return this;
    }

    public String render() {
        StringBuilder svg = new StringBuilder(8_192);
        svg.append(String.format(Locale.ROOT,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\""
                        + " aria-label=\"%s\">%n",
                WIDTH, HEIGHT, WIDTH, HEIGHT, Html.escape(title)));
        svg.append("<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n");
        text(svg, LEFT, 20, title, "start", "title");
        if (series.isEmpty()) {
            text(svg, WIDTH / 2.0, HEIGHT / 2.0, "no data", "middle", "muted");
            return svg.append("</svg>\n").toString();
        }

        double xMin = xAxis == XAxis.NINES ? 0 : xRange != null ? xRange[0]
                : series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).min().orElse(0);
        double xMax = xAxis == XAxis.NINES ? MAX_NINES : xRange != null ? xRange[1]
                : series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[0]).max().orElse(1);
        if (xMax <= xMin) {
            xMax = xMin + 1;
        }
        double yMaxData = series.stream().flatMap(s -> s.points().stream()).mapToDouble(p -> p[1]).max().orElse(1);
        double yStep = niceStep(Math.max(yMaxData, 1e-3) / TARGET_TICKS);
        double yMax = Math.ceil(Math.max(yMaxData, 1e-3) / yStep) * yStep;
        Scale x = new Scale(xMin, xMax, LEFT, WIDTH - RIGHT);
        Scale y = new Scale(0, yMax, HEIGHT - BOTTOM, TOP);

        // Grid and y ticks.
        for (int i = 0; i <= Math.round(yMax / yStep); i++) {
            double value = i * yStep;
            double py = y.at(value);
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" class=\"grid\"/>%n",
                    LEFT, py, WIDTH - RIGHT, py));
            text(svg, LEFT - 6, py + 4, tickLabel(value, yStep), "end", "tick");
        }
        // X ticks.
        if (xAxis == XAxis.NINES) {
            String[] labels = {"0%", "90%", "99%", "99.9%", "99.99%"};
            for (int nines = 0; nines <= MAX_NINES; nines++) {
                xTick(svg, x.at(nines), y, labels[nines]);
            }
        } else {
            double xStep = niceStep((xMax - xMin) / TARGET_TICKS);
            for (double value = Math.ceil(xMin / xStep) * xStep; value <= xMax + xStep * 1e-9; value += xStep) {
                xTick(svg, x.at(value), y, tickLabel(value, xStep));
            }
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>%n",
                LEFT, HEIGHT - BOTTOM, WIDTH - RIGHT, HEIGHT - BOTTOM));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>%n",
                LEFT, TOP, LEFT, HEIGHT - BOTTOM));
        text(svg, (LEFT + WIDTH - RIGHT) / 2.0, HEIGHT - 8, xLabel, "middle", "label");
        svg.append(String.format(Locale.ROOT,
                "<text x=\"16\" y=\"%.1f\" text-anchor=\"middle\" class=\"label\" transform=\"rotate(-90 16 %.1f)\">%s</text>%n",
                (TOP + HEIGHT - BOTTOM) / 2.0, (TOP + HEIGHT - BOTTOM) / 2.0, Html.escape(yLabel)));

        double previousLabelEnd = Double.NEGATIVE_INFINITY;
        int labelRow = 0;
        for (Marker marker : markers) {
            double px = x.at(marker.x());
            if (px >= LEFT && px <= WIDTH - RIGHT) {
                svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"marker\"/>%n",
                        px, TOP, px, HEIGHT - BOTTOM));
                // Labels of markers close together go one row lower rather than on top of each other.
                labelRow = px < previousLabelEnd ? labelRow + 1 : 0;
                text(svg, px + 3, TOP + 10 + labelRow * 12, marker.label(), "start", "marker-label");
                previousLabelEnd = px + 6 + marker.label().length() * 6.0;
            }
        }
        for (Series line : series) {
            StringBuilder points = new StringBuilder();
            for (double[] point : line.points()) {
                if (xAxis == XAxis.LINEAR && (point[0] < xMin || point[0] > xMax)) {
                    continue;
                }
                double px = xAxis == XAxis.NINES ? x.at(nines(point[0])) : x.at(point[0]);
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", px, y.at(point[1])));
            }
            svg.append(String.format(Locale.ROOT,
                    "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"2\" stroke-linejoin=\"round\" points=\"%s\"/>%n",
                    line.color(), points.toString().trim()));
        }
        legend(svg);
        return svg.append("</svg>\n").toString();
    }

    /** Where percentile {@code p} goes on the nines axis. */
    static double nines(double percentile) {
        double rest = 1 - Math.min(percentile, 99.99) / 100;
        return Math.min(MAX_NINES, -Math.log10(Math.max(rest, 1e-4)));
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least {@code raw}. */
    static double niceStep(double raw) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double multiple : new double[] {1, 2, 2.5, 5, 10}) {
            if (multiple * magnitude >= raw) {
                return multiple * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private void legend(StringBuilder svg) {
        double px = WIDTH - RIGHT - 10;
        for (int i = series.size() - 1; i >= 0; i--) {
            Series line = series.get(i);
            double width = 30 + line.name().length() * 6.6;
            px -= width;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"12\" width=\"16\" height=\"4\" fill=\"%s\"/>%n",
                    px, line.color()));
            text(svg, px + 20, 18, line.name(), "start", "legend");
        }
    }

    private static void xTick(StringBuilder svg, double px, Scale y, String label) {
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>%n",
                px, TOP, px, HEIGHT - BOTTOM));
        text(svg, px, HEIGHT - BOTTOM + 16, label, "middle", "tick");
    }

    /** {@code value} with as many decimals as the tick step needs: 2.5 needs one, 0.25 two, 5 none. */
    static String tickLabel(double value, double step) {
        int decimals = 0;
        while (decimals < 9 && Math.abs(step * Math.pow(10, decimals) - Math.rint(step * Math.pow(10, decimals))) > 1e-6) {
            decimals++;
        }
        return String.format(Locale.ROOT, "%,." + decimals + "f", value);
    }

    private static void text(StringBuilder svg, double x, double y, String content, String anchor, String cssClass) {
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" class=\"%s\">%s</text>%n",
                x, y, anchor, cssClass, Html.escape(content)));
    }

    /** Maps data values linearly onto pixels. */
    private record Scale(double min, double max, double from, double to) {
        double at(double value) {
            return from + (value - min) / (max - min) * (to - from);
        }
    }
}
