package io.nova.fanout.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;

import io.nova.fanout.server.auth.TokenMinter;

/**
 * What {@code nova-server} does when started without any token key, neither a secret nor a JWKS: it makes up
 * a random secret for this run and prints tokens, commands and the demo page's link to try the server with (the demo stream
 * itself is {@link DemoBroadcaster}'s), so that a first run needs no setup.
 * Nothing signed with the secret outlives the process unless the developer passes it back in.
 */
final class DevMode {

    static final String HEADLINE = "DEV MODE: no --jwt-secret or --jwks-url given, generated a random secret for this run";

    private static final int SECRET_BYTES = 32;
    private static final Duration TOKEN_TTL = Duration.ofHours(24);
    private static final String RULE = "=".repeat(100);

    static DevMode generate(SecureRandom random) {
        final byte[] bytes = new byte[SECRET_BYTES];
        random.nextBytes(bytes);
        return new DevMode(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    private final String secret;

    private DevMode(String secret) {
        this.secret = requireNonNull(secret, "secret");
    }

    /** The generated secret, in the form {@code --jwt-secret} takes: its UTF-8 bytes are the key. */
    String secret() {
        return secret;
    }

    /** {@code config} with the generated secret in place of none, and the demo stream on. */
    ServerConfig configure(ServerConfig config) {
        return config.toBuilder().jwtSecret(secret.getBytes(UTF_8)).demoStream(true).build();
    }

    /**
     * The text printed once the server listens on {@code port} and {@code internalPort}, with tokens
     * minted against {@code config}'s clock.
     */
    String banner(ServerConfig config, int port, int internalPort) {
        final TokenMinter minter = new TokenMinter(secret.getBytes(UTF_8), config.jwtAudience(), config.jwtIssuer(),
                                                   config.clock());
        final String viewerToken = minter.viewerToken("dev-viewer", TOKEN_TTL);
        final String broadcasterToken = minter.broadcasterToken("dev-broadcaster", TOKEN_TTL);
        final String viewerAuthority = Main.authority(reachableHost(config.host()), port);
        final String internalAuthority = Main.authority(reachableHost(config.internalHost()), internalPort);
        final String page = (config.viewerTls() ? "https://" : "http://") + viewerAuthority;
        final String viewerUrl = (config.viewerTls() ? "wss://" : "ws://") + viewerAuthority;
        final String internalUrl = (config.internalTls() ? "https://" : "http://") + internalAuthority;
        return String.join("\n",
                RULE,
                HEADLINE,
                "Never use dev mode in production. The tokens below are valid for 24h; restart with",
                "--jwt-secret (or NOVA_JWT_SECRET) set to this secret to keep them working:",
                "",
                "  " + secret,
                "",
                "# A simulated broadcaster keeps the stream '" + DemoBroadcaster.STREAM_ID + "' live; watch it in a browser:",
                page + "/?stream=" + DemoBroadcaster.STREAM_ID + "&token=" + viewerToken,
                "",
                "export NOVA_VIEWER_TOKEN=" + viewerToken,
                "export NOVA_BROADCASTER_TOKEN=" + broadcasterToken,
                "",
                "# Register a stream and start it:",
                "curl -X PUT -H \"Authorization: Bearer $NOVA_BROADCASTER_TOKEN\" " +
                "-H 'Content-Type: application/json' " + internalUrl + "/internal/v1/streams/demo " +
                "-d '{\"broadcaster_id\":\"dev-broadcaster\",\"title\":\"Demo stream\",\"quality\":\"1080p\"," +
                "\"fps\":60,\"bitrate_kbps\":5000}'",
                "curl -X POST -H \"Authorization: Bearer $NOVA_BROADCASTER_TOKEN\" " + internalUrl +
                "/internal/v1/streams/demo/start",
                "",
                "# Watch it as a viewer:",
                "npx wscat -c \"" + viewerUrl + "/api/v1/streams/demo/ws?token=$NOVA_VIEWER_TOKEN\"",
                RULE,
                "");
    }

    /** A wildcard bind address accepts connections, but is not an address to connect to. */
    private static String reachableHost(String bindHost) {
        switch (bindHost) {
            case "0.0.0.0":
            case "::":
                return "127.0.0.1";
            default:
                return bindHost;
        }
    }
}
