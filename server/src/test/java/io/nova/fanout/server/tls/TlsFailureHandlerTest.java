package io.nova.fanout.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.testing.TestCertificate;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The TLS layer as the initializers build it: the port's {@code SslHandler}, then the failure handler. */
class TlsFailureHandlerTest {
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 2_000;
    private static final String SECRET_LOOKING = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ2In0.c2lnbmF0dXJl";
    private static final TestCertificate CERTIFICATE = TestCertificate.selfSigned("nova.example");

    @TempDir
    Path dir;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private ServerTls tls;

    @BeforeEach
    void load() {
        NovaMetrics metrics = new NovaMetrics(() -> 0, () -> 0);
        metrics.bindTo(meters);
        CERTIFICATE.writeTo(dir.resolve("cert.pem"), dir.resolve("key.pem"));
        tls = ServerTls.load("viewer", new ServerTls.Source("tlsCert", dir.resolve("cert.pem"), "tlsKey",
                dir.resolve("key.pem")), metrics, Clock.systemUTC());
    }

    private EmbeddedChannel tlsChannel() {
        EmbeddedChannel channel = new EmbeddedChannel();
        channel.freezeTime();
        channel.pipeline().addLast("tls", tls.newHandler(channel.alloc(), HANDSHAKE_TIMEOUT_MILLIS));
        channel.pipeline().addLast("tls-failures", tls.failures());
        return channel;
    }

    private double failures(String reason) {
        var counter = meters.find("nova.tls.handshake.failures").tag("port", "viewer").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void plainHttpOnTheTlsPortIsClosedAndCountedWithoutReachingTheTail() {
        EmbeddedChannel channel = tlsChannel();
        ByteBuf request = Unpooled.copiedBuffer("GET /api/v1/streams/s/ws?token=" + SECRET_LOOKING + " HTTP/1.1\r\n" +
                                                "Host: x\r\n\r\n", StandardCharsets.US_ASCII);
        Logger logger = (Logger) LoggerFactory.getLogger(TlsFailureHandler.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        Level level = logger.getLevel();
        logger.setLevel(Level.DEBUG);
        try {
            channel.writeInbound(request);
            channel.runPendingTasks();
        } finally {
            logger.detachAppender(logged);
            logger.setLevel(level);
        }

        // Netty's own message is a hex dump of the bytes that came: here a token, sent in the clear by mistake.
        String hexOfTheRequest = io.netty.buffer.ByteBufUtil.hexDump("GET /api".getBytes(StandardCharsets.US_ASCII));
        assertThat(logged.list).isNotEmpty().allSatisfy(e -> assertThat(e.getFormattedMessage())
                .contains("not TLS (plain HTTP on a TLS port?)").doesNotContain(hexOfTheRequest, SECRET_LOOKING));

        assertThat(channel.isOpen()).isFalse();
        channel.checkException(); // nothing reached the end of the pipeline
        assertThat(failures(TlsFailureHandler.NOT_TLS)).isEqualTo(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aClientThatNeverSendsItsHelloIsCutOffAtTheHandshakeTimeout() {
        EmbeddedChannel channel = tlsChannel();

        channel.advanceTimeBy(HANDSHAKE_TIMEOUT_MILLIS - 1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        assertThat(channel.isOpen()).isTrue();

        channel.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
        channel.runPendingTasks();

        assertThat(channel.isOpen()).isFalse();
        channel.checkException();
        assertThat(failures(TlsFailureHandler.TIMEOUT)).isEqualTo(1);
        channel.finishAndReleaseAll();
    }

    @Test
    void otherHandshakeFailuresAreCountedAndTheirErrorsStopHere() {
        EmbeddedChannel channel = new EmbeddedChannel(tls.failures());
        SSLHandshakeException refused = new SSLHandshakeException("Received fatal alert: certificate_unknown");

        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(refused));
        channel.pipeline().fireExceptionCaught(new DecoderException(refused));

        assertThat(failures(TlsFailureHandler.HANDSHAKE)).isEqualTo(1);
        assertThat(channel.isOpen()).isFalse();
        channel.checkException();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aClientThatLeavesDuringTheHandshakeIsCountedAsClosed() {
        EmbeddedChannel channel = new EmbeddedChannel(tls.failures());
        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(new ClosedChannelException()));
        assertThat(failures(TlsFailureHandler.CLOSED)).isEqualTo(1);
        assertThat(failures(TlsFailureHandler.HANDSHAKE)).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void aSuccessfulHandshakeIsNotCountedAndOtherErrorsPassOn() {
        EmbeddedChannel channel = new EmbeddedChannel(tls.failures());

        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);
        channel.pipeline().fireExceptionCaught(new IllegalStateException("a bug further on"));

        assertThat(meters.find("nova.tls.handshake.failures").counters()).hasSize(4)
                .allSatisfy(counter -> assertThat(counter.count()).isZero());
        assertThat(channel.isOpen()).isTrue();
        assertThatThrownBy(channel::checkException).isInstanceOf(IllegalStateException.class)
                .hasMessage("a bug further on");
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }
}
