package io.nova.fanout.server.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty reported a buffer leak while it ran. Registered for every test class
 * through the ServiceLoader (see junit-platform.properties); the build runs with paranoid detection.
 */
public final class FailOnLeaksExtension implements AfterAllCallback {
    private static final int PROBE_ALLOCATIONS = 64;

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("tests must run with -Dio.netty.leakDetection.level=paranoid, not "
                    + ResourceLeakDetector.getLevel());
        }
        List<String> reports = collectReports();
        if (!reports.isEmpty()) {
            throw new AssertionError(reports.size() + " buffer leak report(s) during "
                    + context.getDisplayName() + ":\n" + String.join("\n\n", reports));
        }
    }

    /** Leaks are reported when a later allocation finds a collected, unreleased buffer: collect, then allocate. */
    static List<String> collectReports() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            probe(ByteBufAllocator.DEFAULT);
            probe(UnpooledByteBufAllocator.DEFAULT);
        }
        return LeakReportAppender.drain();
    }

    private static void probe(ByteBufAllocator allocator) {
        for (int i = 0; i < PROBE_ALLOCATIONS; i++) {
            ByteBuf buf = allocator.buffer(8);
            buf.release();
        }
    }
}
