package io.nova.fanout.loadtest.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    @Test
    void readsSamplesKeyedBySeriesWithLabelsThatHoldSpaces() {
        String text = String.join("\n",
                "# HELP nova_viewers_connected Viewer WebSocket connections currently open",
                "# TYPE nova_viewers_connected gauge",
                "nova_viewers_connected 2000.0",
                "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"} 1.2E7",
                "jvm_memory_used_bytes{area=\"heap\",id=\"G1 Old Gen\"} 3000000.0",
                "jvm_memory_used_bytes{area=\"nonheap\",id=\"Metaspace\"} 5.0E7",
                "odd{label=\"a } b\"} 1 1700000000000",
                "nova_viewer_rtt_seconds_bucket{le=\"+Inf\"} +Inf",
                "not a sample",
                "");

        Map<String, Double> samples = PrometheusText.parse(text);

        assertThat(samples).containsEntry("nova_viewers_connected", 2000.0)
                .containsEntry("jvm_memory_used_bytes{area=\"heap\",id=\"G1 Eden Space\"}", 1.2e7)
                .containsEntry("odd{label=\"a } b\"}", 1.0)
                .containsEntry("nova_viewer_rtt_seconds_bucket{le=\"+Inf\"}", Double.POSITIVE_INFINITY)
                .hasSize(6);
        assertThat(PrometheusText.sum(samples, "jvm_memory_used_bytes", "area=\"heap\"")).isEqualTo(1.5e7);
    }
}
