package io.nova.fanout.server.tls;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Looks at every port's certificate and key files every {@code interval}, on one daemon thread of its own
 * (file reads and context building block, so never on an event loop), and reloads those that changed.
 * Polling the contents rather than watching the directory also sees a renewal that swaps a symlink
 * (certbot's {@code live/}, a Kubernetes secret's {@code ..data}) and works on every file system.
 */
public final class TlsReloader implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsReloader.class);

    private final ScheduledExecutorService thread;

    private TlsReloader(ScheduledExecutorService thread) {
        this.thread = thread;
    }

    /** Starts looking after {@code ports}; with none, or a zero {@code interval}, it does nothing. */
    public static TlsReloader start(List<ServerTls> ports, Duration interval) {
        if (ports.isEmpty() || interval.isZero()) {
            return new TlsReloader(null);
        }
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread t = new Thread(task, "nova-tls-reload");
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        thread.scheduleWithFixedDelay(() -> checkAll(ports), millis, millis, TimeUnit.MILLISECONDS);
        return new TlsReloader(thread);
    }

    private static void checkAll(List<ServerTls> ports) {
        for (ServerTls port : ports) {
            try {
                port.reloadIfChanged();
            } catch (RuntimeException e) {
                // A task that throws is never run again; the next look may succeed.
                log.warn("TLS certificate check of the {} port failed", port.port(), e);
            }
        }
    }

    /** Stops looking; waits for a check in progress. */
    @Override
    public void close() {
        if (thread == null) {
            return;
        }
        // Not shutdownNow: an interrupted file read would count as a failed reload.
        thread.shutdown();
        try {
            thread.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
