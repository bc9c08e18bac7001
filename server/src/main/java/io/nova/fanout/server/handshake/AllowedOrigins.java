package io.nova.fanout.server.handshake;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The web origins whose pages may open viewer connections ({@code --allowed-origins}): every origin with
 * {@code *}, else exact ones. A request without an {@code Origin} header is not from a browser page (a
 * native player, a load tester) and is always allowed: the check is against cross-site pages, which
 * browsers make announce themselves.
 */
public final class AllowedOrigins {
    public static final String ANY = "*";

    private final Set<String> origins;

    private AllowedOrigins(Set<String> origins) {
        this.origins = origins;
    }

    /**
     * @param origins {@code ["*"]}, or origins such as {@code https://player.example.com:8443}
     * @throws IllegalArgumentException naming the first entry that is not an origin
     */
    public static AllowedOrigins of(List<String> origins) {
        if (origins.isEmpty()) {
            throw new IllegalArgumentException("allowedOrigins: none (expected: * or at least one origin)");
        }
        if (origins.contains(ANY)) {
            if (origins.size() > 1) {
                throw new IllegalArgumentException("allowedOrigins: " + String.join(",", origins)
                        + " (expected: * alone, or origins without *)");
            }
            return new AllowedOrigins(null);
        }
        return new AllowedOrigins(origins.stream().map(AllowedOrigins::normalise).collect(Collectors.toUnmodifiableSet()));
    }

    /** Whether a request with this {@code Origin} header value (or none) may connect. */
    public boolean allows(String origin) {
        return origins == null || origin == null || origins.contains(origin.toLowerCase(Locale.ROOT));
    }

    public boolean allowsAny() {
        return origins == null;
    }

    private static String normalise(String origin) {
        String expected = " (expected: an origin such as https://player.example.com or http://127.0.0.1:8080, or *)";
        URI uri;
        try {
            uri = new URI(origin);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("allowedOrigins: " + origin + expected);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        boolean bare = uri.getRawUserInfo() == null && (uri.getRawPath() == null || uri.getRawPath().isEmpty())
                && uri.getRawQuery() == null && uri.getRawFragment() == null;
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null || !bare) {
            throw new IllegalArgumentException("allowedOrigins: " + origin + expected);
        }
        return scheme + "://" + uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
    }
}
