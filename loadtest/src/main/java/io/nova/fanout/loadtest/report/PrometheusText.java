package io.nova.fanout.loadtest.report;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads the samples of a Prometheus text exposition ({@code text/plain; version=0.0.4}): one sample a line,
 * {@code name{labels} value [timestamp]}, comments starting with {@code #}. Samples are keyed by their name
 * with labels exactly as written, which identifies a series.
 */
public final class PrometheusText {
    /** More lines than any sane exposition; bounds the work on a wrong URL. */
    private static final int MAX_LINES = 100_000;

    private PrometheusText() {}

    public static Map<String, Double> parse(String text) {
        Map<String, Double> samples = new LinkedHashMap<>();
        String[] lines = text.split("\n", MAX_LINES + 1);
        for (int i = 0; i < Math.min(lines.length, MAX_LINES); i++) {
            String line = lines[i].trim();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int seriesEnd = seriesEnd(line);
            if (seriesEnd <= 0 || seriesEnd >= line.length()) {
                continue;
            }
            String[] rest = line.substring(seriesEnd).trim().split("\\s+");
            Double value = value(rest[0]);
            if (value != null) {
                samples.put(line.substring(0, seriesEnd), value);
            }
        }
        return samples;
    }

    /** The sum of every series of {@code name} whose labels contain {@code labelFilter} (e.g. {@code area="heap"}). */
    public static double sum(Map<String, Double> samples, String name, String labelFilter) {
        double sum = 0;
        for (Map.Entry<String, Double> sample : samples.entrySet()) {
            String series = sample.getKey();
            boolean sameName = series.equals(name) || series.startsWith(name + "{");
            if (sameName && series.contains(labelFilter)) {
                sum += sample.getValue();
            }
        }
        return sum;
    }

    /** Where the series (name and labels) of a sample line ends; label values may hold spaces and braces. */
    private static int seriesEnd(String line) {
        int brace = line.indexOf('{');
        int space = line.indexOf(' ');
        if (brace < 0 || (space >= 0 && space < brace)) {
            return space;
        }
        boolean quoted = false;
        for (int i = brace + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i + 1;
            }
        }
        return -1;
    }

    private static Double value(String text) {
        switch (text) {
            case "+Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }
}
