package io.nova.fanout.server.auth;

import static java.util.Objects.requireNonNull;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Reads a JWKS document, blocking, from an {@code https:} or {@code http:} URL or a {@code file:} URL, within
 * a time limit and a size limit. Called only on {@link JwksKeys}'s own thread, never on an event loop.
 */
@FunctionalInterface
interface JwksReader {

    /**
     * @return the document's bytes
     * @throws IOException with a message fit for an operator, saying what failed (not where: the caller knows)
     */
    byte[] read() throws IOException;

    /** Far above any real key set (a few KiB), so that a wrong URL cannot make us buffer a large body. */
    int MAX_BYTES = 1024 * 1024;

    static JwksReader of(URI location, Duration timeout) {
        requireNonNull(location, "location");
        requireNonNull(timeout, "timeout");
        switch (location.getScheme().toLowerCase(java.util.Locale.ROOT)) {
            case "https":
            case "http":
                return new Http(location, timeout);
            case "file":
                final Path path = Path.of(location);
                return () -> readFile(path);
            default:
                throw new IllegalArgumentException("jwksUrl: " + JwksKeys.describe(location) +
                                                   " (expected: https:, http: or file:)");
        }
    }

    private static byte[] readFile(Path path) throws IOException {
        final byte[] bytes;
        try (InputStream in = Files.newInputStream(path)) {
            bytes = in.readNBytes(MAX_BYTES + 1);
        } catch (NoSuchFileException e) {
            throw new IOException("no such file", e);
        } catch (AccessDeniedException e) {
            throw new IOException("permission denied", e);
        }
        if (bytes.length > MAX_BYTES) {
            throw new IOException("larger than " + MAX_BYTES + " bytes");
        }
        return bytes;
    }

    /**
     * One GET with an overall deadline (the JDK client's own timeout only covers the response head) and a
     * body limit. Redirects are not followed: the configured URL is the one to trust.
     */
    final class Http implements JwksReader {
        private final URI location;
        private final Duration timeout;
        private final HttpClient client;

        Http(URI location, Duration timeout) {
            this.location = location;
            this.timeout = timeout;
            this.client = HttpClient.newBuilder()
                    .connectTimeout(timeout)
                    .followRedirects(HttpClient.Redirect.NEVER)
                    .build();
        }

        @Override
        public byte[] read() throws IOException {
            final HttpRequest request = HttpRequest.newBuilder(location)
                    .timeout(timeout)
                    .header("Accept", "application/json, application/jwk-set+json")
                    .GET()
                    .build();
            final CompletableFuture<HttpResponse<byte[]>> exchange =
                    client.sendAsync(request, info -> new BoundedBody(MAX_BYTES));
            final HttpResponse<byte[]> response;
            try {
                response = exchange.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                exchange.cancel(true);
                throw new IOException("no complete answer within " + timeout.toMillis() + " ms");
            } catch (InterruptedException e) {
                exchange.cancel(true);
                Thread.currentThread().interrupt();
                throw new IOException("interrupted");
            } catch (ExecutionException e) {
                final Throwable cause = e.getCause();
                final String why = cause.getClass() == IOException.class && cause.getMessage() != null
                        ? cause.getMessage()
                        : cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage());
                throw new IOException(why, cause);
            }
            if (response.statusCode() != 200) {
                throw new IOException("HTTP " + response.statusCode() + " (expected: 200)");
            }
            return response.body();
        }
    }

    /** Collects a body up to {@code limit} bytes, and fails (dropping the connection) beyond. */
    final class BoundedBody implements HttpResponse.BodySubscriber<byte[]> {
        private final int limit;
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        BoundedBody(int limit) {
            this.limit = limit;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            this.subscription = subscription;
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            if (result.isDone()) {
                return; // Over the limit already; the cancel has not reached the client yet.
            }
            for (ByteBuffer buffer : buffers) {
                if (bytes.size() + buffer.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(new IOException("body larger than " + limit + " bytes"));
                    return;
                }
                final byte[] chunk = new byte[buffer.remaining()];
                buffer.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }
        }

        @Override
        public void onError(Throwable error) {
            result.completeExceptionally(error);
        }

        @Override
        public void onComplete() {
            result.complete(bytes.toByteArray());
        }
    }
}
