package io.nova.fanout.loadtest.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.nova.fanout.server.auth.TokenMinter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Tokens signed with the server's own secret: viewer {@code n} is {@code lt-viewer-<n>}, the broadcaster
 * {@code loadtest} (unless one is given). Minting a token takes microseconds, so viewers' tokens are minted when they connect.
 */
public final class MintedTokens implements TokenSource {
    private static final String VIEWER_PREFIX = "lt-viewer-";
    private static final String BROADCASTER = "loadtest";

    private final TokenMinter minter;
    private final Duration ttl;
    private final String broadcasterToken;

    /**
     * @param secret the server's {@code --jwt-secret}, whose UTF-8 bytes are the HMAC key
     * @param ttl how long the tokens stay valid: the whole run and some
     * @param givenBroadcasterToken a broadcaster token to use instead of minting one, or {@code null}
     * @throws IllegalArgumentException if the secret is shorter than the server accepts
     */
    public MintedTokens(String secret, Duration ttl, String givenBroadcasterToken) {
        this.minter = new TokenMinter(secret.getBytes(UTF_8), Clock.systemUTC());
        this.ttl = ttl;
        this.broadcasterToken = givenBroadcasterToken != null ? givenBroadcasterToken : minter.broadcasterToken(BROADCASTER, ttl);
    }

    @Override
    public String viewerToken(int viewer) {
        return minter.viewerToken(VIEWER_PREFIX + viewer, ttl);
    }

    @Override
    public Optional<String> broadcasterToken() {
        return Optional.of(broadcasterToken);
    }
}
