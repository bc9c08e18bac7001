package io.nova.fanout.server.testing;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;

/**
 * Receives Netty's {@code LEAK:} reports. Logback creates appenders by reflection, so the reports are kept
 * in a static list: test code only, read and cleared by {@link FailOnLeaksExtension}.
 */
public final class LeakReportAppender extends AppenderBase<ILoggingEvent> {
    private static final List<String> REPORTS = new ArrayList<>();

    @Override
    protected void append(ILoggingEvent event) {
        String message = event.getFormattedMessage();
        if (message != null && message.contains("LEAK:")) {
            synchronized (REPORTS) {
                REPORTS.add(message);
            }
        }
    }

    /** Returns the reports collected since the last call and forgets them. */
    static List<String> drain() {
        synchronized (REPORTS) {
            List<String> copy = new ArrayList<>(REPORTS);
            REPORTS.clear();
            return copy;
        }
    }
}
