package io.nova.fanout.loadtest.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;

/**
 * Netty's buffer leak reports, collected by logback (see logback-test.xml); the build runs tests with paranoid
 * leak detection, so every leaked buffer of a test that allocates enough is reported.
 */
public final class LeakReports extends AppenderBase<ILoggingEvent> {
    private static final List<String> REPORTS = new ArrayList<>();
    private static final int PROBE_ALLOCATIONS = 64;

    @Override
    protected void append(ILoggingEvent event) {
        synchronized (REPORTS) {
            REPORTS.add(event.getFormattedMessage());
        }
    }

    /**
     * The reports so far, after giving the detector a chance to find collected, unreleased buffers: it looks
     * when a later allocation happens, so collect garbage, then allocate.
     */
    public static List<String> collect() throws InterruptedException {
        for (int round = 0; round < 3; round++) {
            System.gc();
            Thread.sleep(20);
            for (int i = 0; i < PROBE_ALLOCATIONS; i++) {
                ByteBuf probe = ByteBufAllocator.DEFAULT.buffer(8);
                probe.release();
            }
        }
        synchronized (REPORTS) {
            List<String> reports = new ArrayList<>(REPORTS);
            REPORTS.clear();
            return reports;
        }
    }
}
