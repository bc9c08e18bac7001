package io.nova.fanout.server.tls;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslHandler;
import io.nova.fanout.server.metrics.NovaMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.HexFormat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TLS identity of one port: its certificate and key files, and the {@link TlsMaterial} built from them,
 * which {@link #reloadIfChanged()} replaces when the files change. New connections take the current
 * context; a connection keeps the one it started with. The material is published through one volatile
 * field; everything else is owned by the single thread that calls {@link #reloadIfChanged()}.
 */
public final class ServerTls {
    private static final Logger log = LoggerFactory.getLogger(ServerTls.class);
    private static final long MAX_FILE_BYTES = 1024 * 1024;

    /** Where the port's pair comes from; the setting names are those of the configuration. */
    public record Source(String certificateSetting, Path certificate, String keySetting, Path key) {
    }

    private final String port;
    private final Source files;
    private final Counter applied;
    private final Counter refused;
    private final Clock clock;
    private final TlsFailureHandler failures;
    private volatile Loaded loaded;
    private volatile String lastProblem;
    /** What the files held when last taken or reported: a digest of both, or the error that kept them unread. */
    private String lastSeen;
    /** A refused state seen once and not yet reported: a renewal may be half way, its next file a moment off. */
    private String refusedOnce;

    /** The material in use, and since when. */
    public record Loaded(TlsMaterial material, Instant loadedAt) {
    }

    private ServerTls(String port, Source files, NovaMetrics metrics, Clock clock, TlsMaterial material,
            String seen) {
        this.port = port;
        this.files = files;
        this.applied = metrics.tlsReloads(port, "applied");
        this.refused = metrics.tlsReloads(port, "failed");
        this.clock = clock;
        this.failures = new TlsFailureHandler(port, metrics);
        this.loaded = new Loaded(material, clock.instant());
        this.lastSeen = seen;
        metrics.tlsCertificateExpiry(port, () -> loaded.material().notAfter().getEpochSecond());
    }

    /**
     * Loads the pair for {@code port} ("viewer" or "internal").
     *
     * @throws IllegalArgumentException naming the setting and the file at fault, when the pair cannot serve
     */
    public static ServerTls load(String port, Source files, NovaMetrics metrics, Clock clock) {
        Snapshot snapshot;
        try {
            snapshot = read(files);
        } catch (UnreadableFile e) {
            throw new IllegalArgumentException(e.getMessage());
        }
        TlsMaterial material = TlsMaterial.of(snapshot.certificate(), snapshot.key());
        ServerTls tls = new ServerTls(port, files, metrics, clock, material, snapshot.digest());
        log.info("TLS on the {} port: {}", port, material.describe());
        tls.warnIfNotValidNow(material);
        return tls;
    }

    /** A handler for a new connection, from the current context, cutting off a handshake after {@code timeoutMillis}. */
    public SslHandler newHandler(ByteBufAllocator alloc, long timeoutMillis) {
        SslHandler handler = loaded.material().context().newHandler(alloc);
        handler.setHandshakeTimeoutMillis(timeoutMillis);
        return handler;
    }

    /** The handler that goes right behind each {@link #newHandler SslHandler} of this port; shared. */
    public TlsFailureHandler failures() {
        return failures;
    }

    public String port() {
        return port;
    }

    public Loaded loaded() {
        return loaded;
    }

    /** Why the files on disk are not in use, or {@code null} when they are. */
    public String lastProblem() {
        return lastProblem;
    }

    /**
     * Reads both files and, if they changed since the last look, builds and installs their material. A pair
     * that cannot serve (half written, key and certificate not matching, unreadable) leaves the current one in
     * place; when the next look finds it unchanged it is reported (logged once, counted), and it is tried
     * again when the files change again. The one look of grace spares a warning for each renewal that writes
     * the certificate and the key one after the other. Blocking: never on an event loop.
     */
    public void reloadIfChanged() {
        Snapshot snapshot;
        try {
            snapshot = read(files);
        } catch (UnreadableFile e) {
            fail(e.getMessage(), e.getMessage());
            return;
        }
        if (snapshot.digest().equals(lastSeen)) {
            return;
        }
        TlsMaterial material;
        try {
            material = TlsMaterial.of(snapshot.certificate(), snapshot.key());
        } catch (IllegalArgumentException e) {
            fail(snapshot.digest(), e.getMessage());
            return;
        }
        lastSeen = snapshot.digest();
        refusedOnce = null;
        loaded = new Loaded(material, clock.instant());
        lastProblem = null;
        applied.increment();
        log.info("TLS certificate of the {} port reloaded: {}", port, material.describe());
        warnIfNotValidNow(material);
    }

    private void fail(String seen, String problem) {
        if (seen.equals(lastSeen)) {
            return; // already reported, and nothing changed since
        }
        if (!seen.equals(refusedOnce)) {
            refusedOnce = seen;
            return;
        }
        refusedOnce = null;
        lastSeen = seen;
        lastProblem = problem;
        refused.increment();
        log.warn("TLS certificate of the {} port not reloaded, still serving {}: {}; trying again when the files " +
                 "change", port, loaded.material().describe(), problem);
    }

    private void warnIfNotValidNow(TlsMaterial material) {
        Instant now = clock.instant();
        if (now.isAfter(material.notAfter()) || now.isBefore(material.certificate().getNotBefore().toInstant())) {
            log.warn("TLS certificate of the {} port is not valid now ({}): clients will refuse it", port,
                     material.describe());
        }
    }

    private record Snapshot(TlsMaterial.PemFile certificate, TlsMaterial.PemFile key, String digest) {
    }

    private static final class UnreadableFile extends Exception {
        private static final long serialVersionUID = 1L;

        UnreadableFile(String message) {
            super(message, null, false, false);
        }
    }

    private static Snapshot read(Source files) throws UnreadableFile {
        TlsMaterial.PemFile certificate = readFile(files.certificateSetting(), files.certificate());
        TlsMaterial.PemFile key = readFile(files.keySetting(), files.key());
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            sha256.update(certificate.bytes());
            sha256.update((byte) 0);
            sha256.update(key.bytes());
            return new Snapshot(certificate, key, HexFormat.of().formatHex(sha256.digest()));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    private static TlsMaterial.PemFile readFile(String setting, Path path) throws UnreadableFile {
        try {
            if (Files.size(path) > MAX_FILE_BYTES) {
                throw new UnreadableFile(setting + ": " + path + ": larger than " + MAX_FILE_BYTES +
                                         " bytes (expected: a PEM file)");
            }
            return new TlsMaterial.PemFile(setting, path, Files.readAllBytes(path));
        } catch (NoSuchFileException e) {
            throw new UnreadableFile(setting + ": " + path + ": no such file");
        } catch (IOException e) {
            throw new UnreadableFile(setting + ": " + path + ": cannot be read (" + e + ')');
        }
    }
}
