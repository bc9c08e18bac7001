package io.nova.fanout.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.RSAKey;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.concurrent.Future;
import io.nova.fanout.server.testing.JwksFixture;

/** Reads of the JWKS: when they happen, how few, and what a failed one leaves. Time is the embedded loop's. */
class JwksKeysTest {

    private static final RSAKey RSA = JwksFixture.rsaKey("rsa-1");
    private static final ECKey EC = JwksFixture.ecKey("ec-1");
    private static final Duration PERIOD = Duration.ofMinutes(5);

    private final EmbeddedChannel loop = new EmbeddedChannel();
    private final AtomicReference<String> document = new AtomicReference<>(JwksFixture.jwks(RSA));
    private final AtomicReference<IOException> failure = new AtomicReference<>();
    private final AtomicInteger reads = new AtomicInteger();
    private final List<JwksKeys> started = new ArrayList<>();

    JwksKeysTest() {
        loop.freezeTime();
    }

    @AfterEach
    void tearDown() {
        started.forEach(JwksKeys::close);
        loop.finishAndReleaseAll();
    }

    private JwksKeys start(Duration period) {
        final JwksKeys keys = JwksKeys.start(() -> {
            reads.incrementAndGet();
            if (failure.get() != null) {
                throw failure.get();
            }
            return document.get().getBytes(UTF_8);
        }, "test-jwks", period, loop.eventLoop(), false);
        started.add(keys);
        return keys;
    }

    @Test
    void readsOnceAtStart() {
        final JwksKeys keys = start(PERIOD);
        assertThat(reads).hasValue(1);
        assertThat(keys.kids()).containsExactly("rsa-1");
    }

    @Test
    void aStartThatCannotReadFailsSayingWhereAndWhy() {
        failure.set(new IOException("HTTP 503 (expected: 200)"));
        assertThatThrownBy(() -> start(PERIOD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jwksUrl: cannot load the JWKS from test-jwks: HTTP 503 (expected: 200)");
    }

    @Test
    void aStartWithAnUnparseableDocumentFails() {
        document.set("<html>login</html>");
        assertThatThrownBy(() -> start(PERIOD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("jwksUrl: cannot load the JWKS from test-jwks: ");
    }

    @Test
    void aStartWithoutAUsableKeyFailsListingWhatWasIgnored() {
        document.set("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"k\",\"k\":\"" + "A".repeat(43) + "\"}]}");
        assertThatThrownBy(() -> start(PERIOD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jwksUrl: the JWKS from test-jwks holds no usable key (expected: an RSA key of >= 2048 " +
                            "bits or an EC P-256 key, with a kid, for signatures); k: ignored, unsupported key type " +
                            "oct (expected: RSA or EC P-256)");
    }

    @Test
    void startsFromAFile(@TempDir Path dir) throws IOException {
        final Path file = Files.writeString(dir.resolve("jwks.json"), JwksFixture.jwks(RSA, EC));
        try (JwksKeys keys = JwksKeys.start(file.toUri(), PERIOD)) {
            assertThat(keys.kids()).containsExactly("ec-1", "rsa-1");
        }
        assertThatThrownBy(() -> JwksKeys.start(URI.create(dir.toUri() + "absent.json"), PERIOD))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("jwksUrl: cannot load the JWKS from " + dir.toUri() + "absent.json: no such file");
    }

    @Test
    void readsAgainEveryPeriod() {
        final JwksKeys keys = start(PERIOD);
        document.set(JwksFixture.jwks(RSA, EC));
        loop.advanceTimeBy(PERIOD.minusSeconds(1).toNanos(), TimeUnit.NANOSECONDS);
        runTasks();
        assertThat(reads).hasValue(1);
        loop.advanceTimeBy(1, TimeUnit.SECONDS);
        runTasks();
        assertThat(reads).hasValue(2);
        assertThat(keys.kids()).containsExactly("ec-1", "rsa-1");
        loop.advanceTimeBy(PERIOD.toNanos(), TimeUnit.NANOSECONDS);
        runTasks();
        assertThat(reads).hasValue(3);
    }

    @Test
    void minimumIntervalIsThirtySecondsOrTheShorterPeriod() {
        assertThat(JwksKeys.minInterval(Duration.ofMinutes(5))).isEqualTo(Duration.ofSeconds(30));
        assertThat(JwksKeys.minInterval(Duration.ofSeconds(30))).isEqualTo(Duration.ofSeconds(30));
        assertThat(JwksKeys.minInterval(Duration.ofSeconds(5))).isEqualTo(Duration.ofSeconds(5));
    }

    /** The flood: thousands of unknown kids in one interval cost one read, which all of them share. */
    @Test
    void unknownKidsShareOneReadPerInterval() {
        final JwksKeys keys = start(PERIOD);
        loop.advanceTimeBy(30, TimeUnit.SECONDS);
        final Future<Void> first = keys.refreshForUnknownKey();
        assertThat(first).isNotNull();
        for (int i = 0; i < 10_000; i++) {
            assertThat(keys.refreshForUnknownKey()).isSameAs(first);
        }
        runTasks();
        assertThat(first.isSuccess()).isTrue();
        assertThat(reads).hasValue(2);

        // Within the interval after that read: refused at once, no read, and one read booked for its end.
        loop.advanceTimeBy(29, TimeUnit.SECONDS);
        for (int i = 0; i < 10_000; i++) {
            assertThat(keys.refreshForUnknownKey()).isNull();
        }
        runTasks();
        assertThat(reads).hasValue(2);
        loop.advanceTimeBy(1, TimeUnit.SECONDS);
        runTasks();
        assertThat(reads).hasValue(3);
        runTasks();
        assertThat(reads).hasValue(3);
    }

    @Test
    void aKeyPublishedRightAfterAReadIsKnownWithinTheInterval() {
        final JwksKeys keys = start(PERIOD);
        document.set(JwksFixture.jwks(RSA, EC));
        assertThat(keys.refreshForUnknownKey()).isNull(); // a token with kid ec-1, just after the start's read
        loop.advanceTimeBy(keys.minInterval().toNanos(), TimeUnit.NANOSECONDS);
        runTasks();
        assertThat(keys.kids()).containsExactly("ec-1", "rsa-1");
    }

    @Test
    void thePeriodicReadCountsAgainstTheInterval() {
        final JwksKeys keys = start(PERIOD);
        loop.advanceTimeBy(PERIOD.toNanos(), TimeUnit.NANOSECONDS);
        runTasks();
        assertThat(reads).hasValue(2);
        assertThat(keys.refreshForUnknownKey()).isNull();
        runTasks();
        assertThat(reads).hasValue(2);
    }

    @Test
    void aFailedReadKeepsTheKeysAndIsCounted() {
        final JwksKeys keys = start(PERIOD);
        final SimpleMeterRegistry meters = new SimpleMeterRegistry();
        keys.bindTo(meters);
        failure.set(new IOException("HTTP 500 (expected: 200)"));
        loop.advanceTimeBy(30, TimeUnit.SECONDS);
        final Future<Void> read = keys.refreshForUnknownKey();
        runTasks();
        assertThat(read.isSuccess()).as("waiters are released after a failed read too").isTrue();
        assertThat(keys.kids()).containsExactly("rsa-1");
        assertThat(keys.failures()).isEqualTo(1);

        document.set("{\"keys\": not json");
        failure.set(null);
        loop.advanceTimeBy(30, TimeUnit.SECONDS);
        keys.refreshForUnknownKey();
        runTasks();
        assertThat(keys.kids()).containsExactly("rsa-1");
        assertThat(keys.failures()).isEqualTo(2);

        assertThat(meters.get("nova.jwks.reads").tag("outcome", "ok").functionCounter().count()).isEqualTo(1);
        assertThat(meters.get("nova.jwks.reads").tag("outcome", "failed").functionCounter().count()).isEqualTo(2);
        assertThat(meters.get("nova.jwks.keys").gauge().value()).isEqualTo(1);
    }

    /** The issuer's document is the truth once we run: a key it withdrew (revoked) stops working at once. */
    @Test
    void aReadDocumentReplacesTheKeysEvenWithFewerOrNone() {
        final JwksKeys keys = start(PERIOD);
        document.set(JwksFixture.jwks(EC));
        loop.advanceTimeBy(30, TimeUnit.SECONDS);
        keys.refreshForUnknownKey();
        runTasks();
        assertThat(keys.kids()).containsExactly("ec-1");
        document.set("{\"keys\":[]}");
        loop.advanceTimeBy(30, TimeUnit.SECONDS);
        keys.refreshForUnknownKey();
        runTasks();
        assertThat(keys.kids()).isEmpty();
    }

    @Test
    void closeStopsThePeriodicReads() {
        final JwksKeys keys = start(PERIOD);
        keys.close();
        loop.advanceTimeBy(PERIOD.multipliedBy(3).toNanos(), TimeUnit.NANOSECONDS);
        runTasks();
        assertThat(reads).hasValue(1);
    }

    @Test
    void describeHidesCredentialsInTheUrl() {
        assertThat(JwksKeys.describe(URI.create("https://idp.example/jwks.json")))
                .isEqualTo("https://idp.example/jwks.json");
        assertThat(JwksKeys.describe(URI.create("https://user:pw@idp.example:8443/jwks?key=s3cret")))
                .isEqualTo("https://<redacted>@idp.example:8443/jwks?<redacted>");
        assertThat(JwksKeys.describe(URI.create("file:/etc/nova/jwks.json"))).isEqualTo("file:/etc/nova/jwks.json");
    }

    private void runTasks() {
        loop.runScheduledPendingTasks();
        loop.runPendingTasks();
    }
}
