package io.nova.fanout.server.handshake;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HandshakeLogTest {
    private final AtomicLong nanoTime = new AtomicLong(123_456_789L);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final HandshakeLog handshakeLog = new HandshakeLog(recordingLogger(lines), nanoTime::get);

    /** A logger of its own context, so that the test neither depends on nor changes the global configuration. */
    static Logger recordingLogger(ListAppender<ILoggingEvent> appender) {
        LoggerContext context = new LoggerContext();
        appender.setContext(context);
        appender.start();
        Logger logger = context.getLogger(HandshakeLog.class);
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
        return logger;
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void linesNameTheOutcomeStreamViewerAndPeer() {
        handshakeLog.accepted(channel, "stream-1", "viewer-1");
        handshakeLog.refused(channel, 401, "CONNECTION_REJECTED", "invalid or expired token");

        assertThat(messages()).containsExactly(
                "viewer handshake accepted: stream=stream-1 viewer=viewer-1 peer=embedded",
                "viewer handshake refused: 401 CONNECTION_REJECTED \"invalid or expired token\" peer=embedded");
        assertThat(lines.list).allSatisfy(line -> assertThat(line.getLevel()).isEqualTo(Level.INFO));
    }

    @Test
    void aFloodIsCutToTheBurstThenToTheRateAndTheLeftOutAreCounted() {
        for (int i = 0; i < 1_000; i++) {
            handshakeLog.refused(channel, 401, "CONNECTION_REJECTED", "invalid or expired token");
        }
        assertThat(lines.list).hasSize(HandshakeLog.BURST_LINES);

        // One second later the rate allows LINES_PER_SECOND more; the first says how many were left out.
        nanoTime.addAndGet(TimeUnit.SECONDS.toNanos(1));
        for (int i = 0; i < 1_000; i++) {
            handshakeLog.refused(channel, 401, "CONNECTION_REJECTED", "invalid or expired token");
        }
        List<String> messages = messages();
        assertThat(messages).hasSize(HandshakeLog.BURST_LINES + HandshakeLog.LINES_PER_SECOND);
        assertThat(messages.get(HandshakeLog.BURST_LINES))
                .endsWith(" (" + (1_000 - HandshakeLog.BURST_LINES) + " more handshakes not logged since the last line)");
        assertThat(messages.get(HandshakeLog.BURST_LINES + 1)).doesNotContain("not logged");
    }

    @Test
    void aQuietPeriodRestoresTheWholeBurst() {
        for (int i = 0; i < 200; i++) {
            handshakeLog.accepted(channel, "s", "v");
        }
        nanoTime.addAndGet(TimeUnit.SECONDS.toNanos(60));
        lines.list.clear();
        for (int i = 0; i < 200; i++) {
            handshakeLog.accepted(channel, "s", "v");
        }
        assertThat(lines.list).hasSize(HandshakeLog.BURST_LINES);
    }

    @Test
    void nothingIsCountedWhileInfoIsOff() {
        ListAppender<ILoggingEvent> quietLines = new ListAppender<>();
        Logger quiet = recordingLogger(quietLines);
        quiet.setLevel(Level.WARN);
        HandshakeLog off = new HandshakeLog(quiet, nanoTime::get);
        for (int i = 0; i < 1_000; i++) {
            off.accepted(channel, "s", "v");
        }
        quiet.setLevel(Level.INFO);
        off.accepted(channel, "s", "v");
        assertThat(quietLines.list).singleElement().extracting(ILoggingEvent::getFormattedMessage)
                .isEqualTo("viewer handshake accepted: stream=s viewer=v peer=embedded");
    }

    private List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
}
