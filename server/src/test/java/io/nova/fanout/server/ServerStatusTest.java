package io.nova.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.server.connect.Readiness;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.stream.StreamMetadata;
import io.nova.fanout.server.stream.StreamRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerStatusTest {
    @Test
    void listsTheTenLargestAudiencesLargestFirstAndCountsEveryStream() {
        EmbeddedChannel loop = new EmbeddedChannel();
        ServerConfig config = ServerConfig.builder().jwtSecret(new byte[32]).build();
        StreamRegistry registry = new StreamRegistry(loop.eventLoop(),
                new FramePreEncoder(new ProtocolCodec(), UnpooledByteBufAllocator.DEFAULT), event -> event.frame().release(),
                config.clock(), 262_144, Duration.ofHours(1), 0, Duration.ofMinutes(1));
        for (int i = 0; i < 12; i++) {
            registry.register("s" + i, new StreamMetadata("b", "b", "t", "", "720p", 30, 3000));
        }
        loop.runPendingTasks();
        for (int i = 0; i < 12; i++) {
            var stream = registry.find("s" + i).orElseThrow();
            for (int v = 0; v < i * 3 % 13; v++) { // audiences in no particular order
                stream.viewerJoined();
            }
        }

        JsonNode status = new ServerStatus(new ObjectMapper(), config, registry, () -> 42, () -> Readiness.DRAINING,
                null, null).snapshot();

        assertThat(status.get("readiness").asText()).isEqualTo("draining");
        assertThat(status.get("viewers_connected").asInt()).isEqualTo(42);
        assertThat(status.get("streams").get("scheduled").asInt()).isEqualTo(12);
        List<Integer> audiences = new ArrayList<>();
        status.get("top_streams").forEach(s -> audiences.add(s.get("viewer_count").asInt()));
        assertThat(audiences).hasSize(ServerStatus.TOP_STREAMS).isSortedAccordingTo((a, b) -> b - a)
                .containsExactly(12, 11, 9, 8, 7, 6, 5, 4, 3, 2); // of 0, 3, 6, 9, 12, 2, 5, 8, 11, 1, 4, 7
        assertThat(status.get("config").asText()).contains("jwtSecret=<redacted>");
        assertThat(status.get("tls").toString()).isEqualTo("{\"viewer\":{\"enabled\":false},\"internal\":{\"enabled\":false}}");
        registry.close();
        assertThat(loop.finishAndReleaseAll()).isFalse();
    }
}
