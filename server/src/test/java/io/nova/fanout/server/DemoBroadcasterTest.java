package io.nova.fanout.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.DecodeResult;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.protocol.QualityChanged;
import io.nova.fanout.protocol.ServerMessage;
import io.nova.fanout.protocol.StreamStarted;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.StreamEventBus;
import io.nova.fanout.server.fanout.StreamFrame;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DemoBroadcasterTest {
    private final ProtocolCodec codec = new ProtocolCodec();
    private final List<ServerMessage> published = new ArrayList<>();
    private final StreamEventBus bus = event -> {
        ByteBuf frame = event.frame();
        try {
            int payload = FramePreEncoder.payloadLength(frame);
            byte[] json = ByteBufUtil.getBytes(frame, frame.readerIndex() + frame.readableBytes() - payload, payload);
            if (codec.decodeServerMessage(json) instanceof DecodeResult.Decoded<ServerMessage> decoded) {
                published.add(decoded.message());
            }
        } finally {
            frame.release();
        }
    };

    @Test
    void keepsTheDemoStreamLiveWithBitrateMeasurementsAndQualityChangesUntilItEnds() {
        EmbeddedChannel loop = new EmbeddedChannel();
        loop.freezeTime();
        StreamRegistry registry = new StreamRegistry(loop.eventLoop(),
                new FramePreEncoder(codec, UnpooledByteBufAllocator.DEFAULT), bus,
                Clock.fixed(Instant.parse("2026-12-01T00:00:00Z"), ZoneOffset.UTC), 262_144, Duration.ofSeconds(1), 0,
                Duration.ofMinutes(1));
        DemoBroadcaster demo = DemoBroadcaster.start(registry, Duration.ofSeconds(2), new Random(7));
        loop.runPendingTasks();
        assertThat(published).singleElement().isInstanceOf(StreamStarted.class);

        for (int i = 0; i < 10; i++) {
            loop.advanceTimeBy(2, TimeUnit.SECONDS);
            loop.runScheduledPendingTasks();
            loop.runPendingTasks();
        }

        List<ServerMessage> changes = published.subList(1, published.size());
        assertThat(changes).hasSize(10);
        assertThat(changes.get(4)).isInstanceOfSatisfying(QualityChanged.class, q -> {
            assertThat(q.previousQuality()).isEqualTo("1080p");
            assertThat(q.newQuality()).isEqualTo("720p");
        });
        assertThat(changes.get(9)).isInstanceOfSatisfying(QualityChanged.class,
                q -> assertThat(q.newQuality()).isEqualTo("480p"));
        assertThat(changes.stream().filter(BitrateUpdate.class::isInstance)).hasSize(8)
                .allSatisfy(m -> assertThat(((BitrateUpdate) m).currentBitrateKbps()).isBetween(825, 5250));
        assertThat(changes.stream().filter(BitrateUpdate.class::isInstance).map(m -> ((BitrateUpdate) m).health()).distinct())
                .as("the random walk shows more than one health").hasSizeGreaterThan(1);

        // Its measurements follow a quality someone else set through the API.
        registry.apply(DemoBroadcaster.STREAM_ID, List.of(new StreamChange.ChangeQuality("360p", 800, null,
                QualityChangeReason.NETWORK_CONGESTION)));
        loop.runPendingTasks();
        loop.advanceTimeBy(2, TimeUnit.SECONDS);
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
        assertThat(published.get(published.size() - 1)).isInstanceOfSatisfying(BitrateUpdate.class,
                b -> assertThat(b.currentBitrateKbps()).isBetween(440, 840));

        // Ended through the API: its next change is refused and it stops.
        registry.apply(DemoBroadcaster.STREAM_ID, List.of(new StreamChange.End(EndReason.BROADCASTER_ENDED)));
        loop.runPendingTasks();
        int afterEnd = published.size();
        for (int i = 0; i < 5; i++) {
            loop.advanceTimeBy(2, TimeUnit.SECONDS);
            loop.runScheduledPendingTasks();
            loop.runPendingTasks();
        }
        assertThat(published).hasSize(afterEnd);
        demo.close();
        registry.close();
        assertThat(loop.finishAndReleaseAll()).isFalse();
    }
}
