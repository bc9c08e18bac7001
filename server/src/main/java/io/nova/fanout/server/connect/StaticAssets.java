package io.nova.fanout.server.connect;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

/** The files the viewer port serves as they are, read once at start; immutable. */
public final class StaticAssets {
    /** One file: its bytes, its media type and a strong validator for conditional requests. */
    public record Asset(byte[] body, String contentType, String etag) {
        static Asset of(byte[] body, String contentType) {
            return new Asset(body, contentType, '"' + HexFormat.of().formatHex(sha256(body), 0, 16) + '"');
        }
    }

    private final Map<String, Asset> byPath;

    private StaticAssets(Map<String, Asset> byPath) {
        this.byPath = Map.copyOf(byPath);
    }

    /**
     * What the viewer port serves: the demo player page at {@code /}, and the JS viewer client, which the
     * protocol module ships as a resource.
     */
    public static StaticAssets viewerPort() {
        ClassLoader loader = StaticAssets.class.getClassLoader();
        return new StaticAssets(Map.of(
                "/", Asset.of(read(loader, "io/nova/fanout/server/web/demo.html"), "text/html; charset=utf-8"),
                "/client/nova-viewer.js", Asset.of(read(loader, "io/nova/fanout/protocol/js/nova-viewer.js"),
                        "text/javascript; charset=utf-8"),
                "/client/nova-viewer.d.ts", Asset.of(read(loader, "io/nova/fanout/protocol/js/nova-viewer.d.ts"),
                        "application/typescript; charset=utf-8")));
    }

    /** For tests: the given files. */
    public static StaticAssets of(Map<String, Asset> byPath) {
        return new StaticAssets(byPath);
    }

    /** The file at this path, or null. */
    public Asset find(String path) {
        return byPath.get(path);
    }

    private static byte[] read(ClassLoader loader, String resource) {
        try (InputStream in = loader.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("resource " + resource + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read resource " + resource, e);
        }
    }

    private static byte[] sha256(byte[] body) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(body);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
