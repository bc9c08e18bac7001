package io.nova.fanout.loadtest.auth;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Viewer tokens read from a file, one a line, handed out round-robin; the broadcaster token as given. */
public final class FileTokens implements TokenSource {
    /** A token file is a list of JWTs; anything bigger is a mistake, not a token list. */
    private static final long MAX_FILE_BYTES = 256L * 1024 * 1024;

    private final List<String> viewerTokens;
    private final String broadcasterToken;

    private FileTokens(List<String> viewerTokens, String broadcasterToken) {
        this.viewerTokens = viewerTokens;
        this.broadcasterToken = broadcasterToken;
    }

    /**
     * @param broadcasterToken the broadcaster API's token, or {@code null} when the run needs none
     * @throws IllegalArgumentException if the file cannot be read, is too large or holds no token
     */
    public static FileTokens read(Path file, String broadcasterToken) {
        try {
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new IllegalArgumentException("token-file: " + file + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            List<String> tokens = Files.readAllLines(file).stream().map(String::trim).filter(line -> !line.isEmpty()).toList();
            if (tokens.isEmpty()) {
                throw new IllegalArgumentException("token-file: " + file + " holds no token (expected: one a line)");
            }
            return new FileTokens(tokens, broadcasterToken);
        } catch (IOException e) {
            throw new IllegalArgumentException("token-file: cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String viewerToken(int viewer) {
        return viewerTokens.get(viewer % viewerTokens.size());
    }

    @Override
    public Optional<String> broadcasterToken() {
        return Optional.ofNullable(broadcasterToken);
    }
}
