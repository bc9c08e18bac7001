package io.nova.fanout.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.testing.TestCertificate;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ServerTlsTest {
    private static final TestCertificate FIRST = TestCertificate.selfSigned("first.example");
    private static final TestCertificate SECOND = TestCertificate.selfSigned("second.example");

    @TempDir
    Path dir;
    private Path certFile;
    private Path keyFile;
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NovaMetrics metrics = new NovaMetrics(() -> 0, () -> 0);
    private final Clock clock = Clock.fixed(Instant.now(), ZoneOffset.UTC);

    private final Logger logger = (Logger) LoggerFactory.getLogger(ServerTls.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void captureLog() {
        logged.start();
        logger.addAppender(logged);
    }

    @AfterEach
    void releaseLog() {
        logger.detachAppender(logged);
    }

    private java.util.List<String> warnings() {
        return logged.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    @BeforeEach
    void files() {
        metrics.bindTo(meters);
        certFile = dir.resolve("fullchain.pem");
        keyFile = dir.resolve("privkey.pem");
        FIRST.writeTo(certFile, keyFile);
    }

    private ServerTls load() {
        return ServerTls.load("viewer", new ServerTls.Source("tlsCert", certFile, "tlsKey", keyFile), metrics, clock);
    }

    private double reloads(String outcome) {
        var counter = meters.find("nova.tls.reloads").tag("port", "viewer").tag("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    @Test
    void newHandlersComeFromTheLoadedPairWithTheGivenHandshakeTimeout() {
        ServerTls tls = load();
        SslHandler handler = tls.newHandler(UnpooledByteBufAllocator.DEFAULT, 1234);
        assertThat(handler.getHandshakeTimeoutMillis()).isEqualTo(1234);
        assertThat(handler.engine().getUseClientMode()).isFalse();
        assertThat(tls.loaded().material().certificate()).isEqualTo(FIRST.certificate());
        assertThat(tls.loaded().loadedAt()).isEqualTo(clock.instant());
        assertThat(meters.get("nova.tls.certificate.expiry.timestamp").tag("port", "viewer").gauge().value())
                .isEqualTo(FIRST.certificate().getNotAfter().toInstant().getEpochSecond());
    }

    @Test
    void unchangedFilesAreNotReloaded() {
        ServerTls tls = load();
        ServerTls.Loaded before = tls.loaded();
        tls.reloadIfChanged();
        tls.reloadIfChanged();
        assertThat(tls.loaded()).isSameAs(before);
        assertThat(reloads("applied") + reloads("failed")).isZero();
    }

    @Test
    void changedFilesReplaceThePairForNewHandlers() {
        ServerTls tls = load();
        SECOND.writeTo(certFile, keyFile);
        tls.reloadIfChanged();
        assertThat(tls.loaded().material().certificate()).isEqualTo(SECOND.certificate());
        assertThat(tls.lastProblem()).isNull();
        assertThat(reloads("applied")).isEqualTo(1);
        assertThat(meters.get("nova.tls.certificate.expiry.timestamp").tag("port", "viewer").gauge().value())
                .isEqualTo(SECOND.certificate().getNotAfter().toInstant().getEpochSecond());
    }

    @Test
    void aRenewalCaughtHalfWayIsTakenWithoutAWarningWhenItCompletesByTheNextLook() {
        ServerTls tls = load();
        TestCertificate.writeAtomically(certFile, SECOND.certificatePem());
        tls.reloadIfChanged();
        assertThat(tls.loaded().material().certificate()).isEqualTo(FIRST.certificate());
        assertThat(tls.lastProblem()).isNull();

        TestCertificate.writeAtomically(keyFile, SECOND.pkcs8KeyPem());
        tls.reloadIfChanged();

        assertThat(tls.loaded().material().certificate()).isEqualTo(SECOND.certificate());
        assertThat(warnings()).isEmpty();
        assertThat(reloads("failed")).isZero();
        assertThat(reloads("applied")).isEqualTo(1);
    }

    @Test
    void aRefusedPairKeepsTheOldOneIsReportedOnceAndIsRetriedWhenTheFilesChange() {
        ServerTls tls = load();
        // The new certificate beside the old key, for two looks in a row: not a renewal in progress.
        TestCertificate.writeAtomically(certFile, SECOND.certificatePem());
        tls.reloadIfChanged();
        tls.reloadIfChanged();
        tls.reloadIfChanged();
        assertThat(tls.loaded().material().certificate()).isEqualTo(FIRST.certificate());
        assertThat(tls.lastProblem()).startsWith("tlsKey: " + keyFile + ": the private key does not belong");
        assertThat(reloads("failed")).isEqualTo(1);
        assertThat(warnings()).singleElement().asString()
                .startsWith("TLS certificate of the viewer port not reloaded, still serving CN=first.example,")
                .contains(tls.lastProblem(), "trying again when the files change")
                .doesNotContain(FIRST.pkcs8KeyPem().split("\n")[1]);

        TestCertificate.writeAtomically(keyFile, SECOND.pkcs8KeyPem());
        tls.reloadIfChanged();
        assertThat(tls.loaded().material().certificate()).isEqualTo(SECOND.certificate());
        assertThat(tls.lastProblem()).isNull();
        assertThat(reloads("applied")).isEqualTo(1);
        assertThat(logged.list).anySatisfy(e -> assertThat(e.getFormattedMessage())
                .startsWith("TLS certificate of the viewer port reloaded: CN=second.example,"));
    }

    @Test
    void anExpiredCertificateIsServedWithAWarning() {
        TestCertificate expired = TestCertificate.selfSigned(TestCertificate.KeyType.EC,
                Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-12-31T00:00:00Z"), "old.example");
        expired.writeTo(certFile, keyFile);
        ServerTls tls = load();
        assertThat(tls.loaded().material().certificate()).isEqualTo(expired.certificate());
        assertThat(warnings()).singleElement().asString()
                .startsWith("TLS certificate of the viewer port is not valid now (CN=old.example,")
                .endsWith("): clients will refuse it");
    }

    @Test
    void aVanishedFileKeepsTheOldPairUntilItIsBack() throws IOException {
        ServerTls tls = load();
        Files.delete(keyFile);
        tls.reloadIfChanged();
        assertThat(tls.lastProblem()).isNull();
        tls.reloadIfChanged();
        assertThat(tls.lastProblem()).isEqualTo("tlsKey: " + keyFile + ": no such file");
        assertThat(tls.loaded().material().certificate()).isEqualTo(FIRST.certificate());
        FIRST.writeTo(certFile, keyFile);
        tls.reloadIfChanged();
        assertThat(tls.lastProblem()).isNull();
        assertThat(reloads("failed")).isEqualTo(1);
        assertThat(reloads("applied")).isEqualTo(1);
    }

    @Test
    void aPairThatCannotServeStopsTheLoadNamingTheSetting() throws IOException {
        Files.delete(certFile);
        assertThatThrownBy(this::load).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tlsCert: " + certFile + ": no such file");
        SECOND.writeTo(certFile, dir.resolve("other-key.pem"));
        assertThatThrownBy(this::load).hasMessageStartingWith("tlsKey: " + keyFile + ": the private key does not belong");
        Files.writeString(certFile, "x".repeat(1024 * 1024 + 1));
        assertThatThrownBy(this::load)
                .hasMessage("tlsCert: " + certFile + ": larger than 1048576 bytes (expected: a PEM file)");
    }
}
