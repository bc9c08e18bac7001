package io.nova.fanout.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.protocol.Timestamps;
import io.nova.fanout.server.connect.Readiness;
import io.nova.fanout.server.stream.Stream;
import io.nova.fanout.server.stream.StreamRegistry;
import io.nova.fanout.server.stream.ViewerCounts;
import io.nova.fanout.server.tls.ServerTls;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * What {@code GET /status} on the internal port tells an operator: version, uptime, readiness, connections,
 * streams by status with the largest audiences, the certificate each port serves, and the configuration
 * without its secret.
 */
final class ServerStatus {
    /** How many streams the answer lists by name: the largest audiences, not every stream. */
    static final int TOP_STREAMS = 10;

    private final ObjectMapper mapper;
    private final Clock clock;
    private final Instant startedAt;
    private final StreamRegistry streams;
    private final IntSupplier viewersConnected;
    private final Supplier<Readiness> readiness;
    private final ServerConfig config;
    private final ServerTls viewerTls;
    private final ServerTls internalTls;

    /** @param viewerTls the viewer port's TLS, or null when it is plain; likewise {@code internalTls} */
    ServerStatus(ObjectMapper mapper, ServerConfig config, StreamRegistry streams, IntSupplier viewersConnected,
            Supplier<Readiness> readiness, ServerTls viewerTls, ServerTls internalTls) {
        this.viewerTls = viewerTls;
        this.internalTls = internalTls;
        this.mapper = mapper;
        this.clock = config.clock();
        this.startedAt = clock.instant();
        this.streams = streams;
        this.viewersConnected = viewersConnected;
        this.readiness = readiness;
        this.config = config;
    }

    private record Entry(String streamId, StreamStatus status, int viewers, int peak) {
    }

    ObjectNode snapshot() {
        Instant now = clock.instant();
        ObjectNode status = mapper.createObjectNode();
        String version = ServerStatus.class.getPackage().getImplementationVersion();
        status.put("version", version == null ? "development build" : version);
        status.put("started_at", Timestamps.format(startedAt));
        status.put("uptime_seconds", Duration.between(startedAt, now).toSeconds());
        status.put("readiness", readiness.get().status());
        status.put("viewers_connected", viewersConnected.getAsInt());

        Map<StreamStatus, Integer> byStatus = new EnumMap<>(StreamStatus.class);
        // Counts move while we look: each stream is read once into an entry, and the entries are compared.
        // Smallest audience on top, so the heap keeps the TOP_STREAMS largest in one pass.
        PriorityQueue<Entry> largest = new PriorityQueue<>(TOP_STREAMS + 1, Comparator.comparingInt(Entry::viewers));
        for (Stream stream : streams.streams()) {
            StreamStatus state = stream.state().status();
            byStatus.merge(state, 1, Integer::sum);
            ViewerCounts counts = stream.viewerCounts();
            largest.add(new Entry(stream.id(), state, counts.current(), counts.peak()));
            if (largest.size() > TOP_STREAMS) {
                largest.poll();
            }
        }
        ObjectNode counts = status.putObject("streams");
        for (StreamStatus s : StreamStatus.values()) {
            counts.put(s.wireName(), byStatus.getOrDefault(s, 0));
        }
        ArrayNode top = status.putArray("top_streams");
        largest.stream().sorted(Comparator.comparingInt(Entry::viewers).reversed())
                .forEach(entry -> top.addObject()
                        .put("stream_id", entry.streamId())
                        .put("status", entry.status().wireName())
                        .put("viewer_count", entry.viewers())
                        .put("peak_viewers", entry.peak()));
        ObjectNode tls = status.putObject("tls");
        putTls(tls.putObject("viewer"), viewerTls);
        putTls(tls.putObject("internal"), internalTls);
        status.put("config", config.toString());
        return status;
    }

    private static void putTls(ObjectNode port, ServerTls tls) {
        port.put("enabled", tls != null);
        if (tls == null) {
            return;
        }
        ServerTls.Loaded loaded = tls.loaded();
        port.put("certificate", loaded.material().describe());
        port.put("not_after", Timestamps.format(loaded.material().notAfter()));
        port.put("loaded_at", Timestamps.format(loaded.loadedAt()));
        // Set while the files on disk hold a pair that was refused: what is served is not what is there.
        port.put("reload_problem", tls.lastProblem());
    }
}
