package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.time.Duration;
import java.util.function.Supplier;

import io.netty.util.concurrent.EventExecutor;

/** Opens {@link JwksKeys}'s test seam to tests of other packages: a document supplier and a given executor. */
public final class TestJwks {
    private TestJwks() {
    }

    /** Keys read from {@code document} (on every read), with reads and timers on {@code executor}. */
    public static JwksKeys start(Supplier<String> document, Duration refreshPeriod, EventExecutor executor) {
        return JwksKeys.start(() -> document.get().getBytes(UTF_8), "test-jwks", refreshPeriod, executor, false);
    }

    /** The successful reads so far. */
    public static long reads(JwksKeys keys) {
        return keys.fetches();
    }
}
