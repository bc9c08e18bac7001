package io.nova.fanout.server;

import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamMetadata;
import io.nova.fanout.server.stream.StreamOutcome;
import io.nova.fanout.server.stream.StreamRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dev mode's stand-in for a broadcaster: keeps one stream live, with a bitrate measurement every tick and
 * a quality change every few, so that the demo page shows something alive on a first run. It changes the
 * stream through the registry, as the broadcaster API does, from the stream's own home loop.
 */
final class DemoBroadcaster implements AutoCloseable {
    static final String STREAM_ID = "demo-live";

    private static final Logger log = LoggerFactory.getLogger(DemoBroadcaster.class);
    private static final StreamMetadata METADATA = new StreamMetadata("dev-broadcaster", "Nova demo",
            "Nova Fanout demo stream", "A simulated broadcaster in dev mode", "1080p", 60, 5000);
    private static final String[] QUALITIES = {"1080p", "720p", "480p", "720p"};
    private static final int[] BITRATES_KBPS = {5000, 3000, 1500, 3000};
    private static final QualityChangeReason[] REASONS = {QualityChangeReason.ADAPTIVE_BITRATE,
            QualityChangeReason.NETWORK_CONGESTION, QualityChangeReason.ADAPTIVE_BITRATE,
            QualityChangeReason.BROADCASTER_CHANGED};
    private static final int TICKS_PER_QUALITY_CHANGE = 5;

    private final StreamRegistry registry;
    private final Random random;
    private volatile ScheduledFuture<?> ticker;
    private volatile boolean closed;
    // Touched by the stream's home loop only, where every tick runs.
    private int ticks;
    private int level;

    private DemoBroadcaster(StreamRegistry registry, Random random) {
        this.registry = registry;
        this.random = random;
    }

    /** Registers and starts the demo stream, then changes it every {@code interval}. */
    static DemoBroadcaster start(StreamRegistry registry, Duration interval, Random random) {
        DemoBroadcaster broadcaster = new DemoBroadcaster(registry, random);
        registry.register(STREAM_ID, METADATA).addListener(registered -> {
            if (!registered.isSuccess()) {
                log.warn("demo stream could not be registered", registered.cause());
                return;
            }
            registry.apply(STREAM_ID, List.of(new StreamChange.Start())).addListener(broadcaster::logRefusal);
            Stream stream = registry.find(STREAM_ID).orElseThrow();
            long nanos = interval.toNanos();
            broadcaster.ticker = stream.home().scheduleAtFixedRate(broadcaster::tick, nanos, nanos, TimeUnit.NANOSECONDS);
            if (broadcaster.closed) {
                broadcaster.ticker.cancel(false);
            }
        });
        return broadcaster;
    }

    private void tick() {
        ticks++;
        if (ticks % TICKS_PER_QUALITY_CHANGE == 0) {
            level = (level + 1) % QUALITIES.length;
            apply(new StreamChange.ChangeQuality(QUALITIES[level], BITRATES_KBPS[level], null, REASONS[level]));
        } else {
            // A measurement around the stream's nominal bitrate (whoever set it last), now and then low
            // enough to show a poorer health.
            int nominal = registry.find(STREAM_ID).map(s -> s.state().metadata().bitrateKbps()).orElse(BITRATES_KBPS[level]);
            int measured = (int) (nominal * (0.55 + 0.5 * random.nextDouble()));
            apply(new StreamChange.ReportBitrate(measured, null));
        }
    }

    private void apply(StreamChange change) {
        registry.apply(STREAM_ID, List.of(change)).addListener(this::logRefusal);
    }

    private void logRefusal(Future<? super StreamOutcome> done) {
        if (!done.isSuccess()) {
            log.warn("demo stream change failed", done.cause());
        } else if (done.getNow() instanceof StreamOutcome.Refused refused) {
            log.info("demo stream change refused: {}", refused);
            close(); // The stream was ended through the API: the demo is over.
        }
    }

    @Override
    public void close() {
        closed = true;
        ScheduledFuture<?> current = ticker;
        if (current != null) {
            current.cancel(false);
        }
    }
}
