package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.nova.fanout.server.NovaServer;
import io.nova.fanout.server.testing.TestCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real server with {@code tlsCert}/{@code tlsKey} (and the internal port's own pair), against clients that
 * verify the certificate: a trust store holding only the test's certificate, and host name verification on.
 */
class TlsIntegrationTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final Duration RELOAD_INTERVAL = Duration.ofMillis(100);
    private static final String STREAM = "tls-stream";

    @TempDir
    Path dir;
    private Path certFile;
    private Path keyFile;
    private ServerFixture fixture;
    private final TestCertificate first = TestCertificate.selfSigned("127.0.0.1", "localhost");

    @BeforeEach
    void writeFirstPair() {
        certFile = dir.resolve("fullchain.pem");
        keyFile = dir.resolve("privkey.pem");
        first.writeTo(certFile, keyFile);
    }

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private void startWithViewerTls() {
        fixture = ServerFixture.start(b -> b.tls(certFile, keyFile).tlsReloadInterval(RELOAD_INTERVAL));
    }

    private static HttpClient trusting(TestCertificate... trusted) {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5))
                .sslContext(TestCertificate.clientTrusting(certificates(trusted))).build();
    }

    private static X509Certificate[] certificates(TestCertificate... trusted) {
        return Arrays.stream(trusted).map(TestCertificate::certificate).toArray(X509Certificate[]::new);
    }

    private URI wss(String streamId) {
        return URI.create("wss://127.0.0.1:" + fixture.port()
                          + ServerFixture.viewerTarget(streamId, fixture.viewerToken(fixture.nextViewerId())));
    }

    private ViewerClient wssViewer(TestCertificate... trusted) {
        return fixture.track(ViewerClient.connect(wss(STREAM), new ViewerClient.Options().httpClient(trusting(trusted))));
    }

    /** The certificate a new connection to {@code port} is shown, by a client that verifies it against {@code trusted}. */
    private static X509Certificate presented(int port, TestCertificate... trusted) throws IOException {
        SSLContext context = TestCertificate.clientTrusting(certificates(trusted));
        try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(5_000);
            SSLParameters parameters = socket.getSSLParameters();
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            socket.setSSLParameters(parameters);
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("not within " + WAIT + ": " + what);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private double metric(String name, String... labels) {
        Pattern line = Pattern.compile("(?m)^" + name + "\\{([^}]*)} (\\S+)$");
        Matcher m = line.matcher(fixture.server().scrapeMetrics());
        while (m.find()) {
            String found = m.group(1);
            if (Arrays.stream(labels).allMatch(label -> found.contains(label))) {
                return Double.parseDouble(m.group(2));
            }
        }
        return 0;
    }

    @Test
    void aWssViewerThatVerifiesTheCertificateIsEstablishedAndGetsEvents() {
        startWithViewerTls();
        fixture.broadcaster().goLive(STREAM);

        ViewerClient viewer = wssViewer(first);

        assertThat(viewer.awaitEvent("connection_established", WAIT).data().get("stream_id").asText())
                .isEqualTo(STREAM);
        assertThat(fixture.broadcaster().events(STREAM, Broadcaster.bitrateUpdate(4800).toString()).status())
                .isEqualTo(200);
        assertThat(viewer.awaitEvent("bitrate_update", WAIT).data().get("current_bitrate_kbps").asInt())
                .isEqualTo(4800);
        assertThat(viewer.protocolViolations()).isEmpty();
    }

    @Test
    void clientsThatDoNotTrustTheCertificateOrWhoseHostItDoesNotNameAreRefused() {
        TestCertificate stranger = TestCertificate.selfSigned("127.0.0.1");
        TestCertificate otherHost = TestCertificate.selfSigned("other.example");
        otherHost.writeTo(dir.resolve("other.pem"), dir.resolve("other-key.pem"));
        startWithViewerTls();
        fixture.broadcaster().goLive(STREAM);

        assertThatThrownBy(() -> wssViewer(stranger)).hasCauseInstanceOf(SSLHandshakeException.class);
        assertThatThrownBy(() -> presented(fixture.port(), stranger)).isInstanceOf(SSLHandshakeException.class);
        // The SSLSocket sends an alert (handshake); the HTTP client may just hang up (closed).
        await("the server counts the refusals", () -> {
            double alerted = metric("nova_tls_handshake_failures_total", "port=\"viewer\"", "reason=\"handshake\"");
            return alerted >= 1
                   && alerted + metric("nova_tls_handshake_failures_total", "port=\"viewer\"", "reason=\"closed\"") >= 2;
        });

        try (ServerFixture other = ServerFixture.start(b -> b.tls(dir.resolve("other.pem"), dir.resolve("other-key.pem")))) {
            // Trusted, but issued for other.example, not for the 127.0.0.1 the client connected to.
            assertThatThrownBy(() -> presented(other.port(), otherHost)).isInstanceOf(SSLHandshakeException.class)
                    .hasMessageContaining("No subject alternative names matching IP address 127.0.0.1 found");
        }
    }

    @Test
    void plainHttpOnTheTlsPortGetsNoAnswer() {
        startWithViewerTls();
        assertThatThrownBy(() -> RawHttp.get(fixture.port(), "/health")).hasMessageContaining("/health");
        await("the server counts it", () -> metric("nova_tls_handshake_failures_total", "reason=\"not_tls\"") == 1);
    }

    @Test
    void theInternalPortServesHttpsWithItsOwnCertificate() throws Exception {
        TestCertificate internal = TestCertificate.selfSigned("127.0.0.1");
        internal.writeTo(dir.resolve("internal.pem"), dir.resolve("internal-key.pem"));
        fixture = ServerFixture.start(b -> b.tls(certFile, keyFile)
                .internalTls(dir.resolve("internal.pem"), dir.resolve("internal-key.pem")));
        URI base = URI.create("https://127.0.0.1:" + fixture.internalPort());

        HttpResponse<String> health = trusting(internal).send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).isEqualTo("{\"status\":\"ok\"}");
        assertThat(presented(fixture.internalPort(), internal, first)).isEqualTo(internal.certificate());
        assertThat(presented(fixture.port(), internal, first)).isEqualTo(first.certificate());
        assertThatThrownBy(() -> trusting(first).send(HttpRequest.newBuilder(base.resolve("/health")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);

        assertThat(metric("nova_tls_certificate_expiry_timestamp_seconds", "port=\"internal\""))
                .isEqualTo(internal.certificate().getNotAfter().toInstant().getEpochSecond());

        // The whole path over TLS on both ports: the API registers and starts, the ingest socket publishes.
        String bearer = "Bearer " + fixture.broadcasterToken();
        for (HttpRequest request : new HttpRequest[] {
                HttpRequest.newBuilder(base.resolve("/internal/v1/streams/" + STREAM)).header("Authorization", bearer)
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(Broadcaster.metadata().toString())).build(),
                HttpRequest.newBuilder(base.resolve("/internal/v1/streams/" + STREAM + "/start"))
                        .header("Authorization", bearer).POST(HttpRequest.BodyPublishers.noBody()).build()}) {
            assertThat(trusting(internal).send(request, HttpResponse.BodyHandlers.ofString()).statusCode())
                    .as(request.uri().toString()).isBetween(200, 201);
        }
        ViewerClient viewer = wssViewer(first);
        viewer.awaitEvent("connection_established", WAIT);
        ViewerClient ingest = fixture.track(ViewerClient.connect(
                URI.create("wss://127.0.0.1:" + fixture.internalPort() + "/internal/v1/ingest"),
                new ViewerClient.Options().unchecked().header("Authorization", bearer).httpClient(trusting(internal))));
        ingest.send(Broadcaster.bitrateUpdate(2500).put("stream_id", STREAM).toString());
        assertThat(Json.parse(ingest.next(WAIT).raw()).get("success").asBoolean()).isTrue();
        assertThat(viewer.awaitEvent("bitrate_update", WAIT).data().get("current_bitrate_kbps").asInt()).isEqualTo(2500);

        JsonNode tls = Json.parse(trusting(internal).send(HttpRequest.newBuilder(base.resolve("/status")).build(),
                HttpResponse.BodyHandlers.ofString()).body()).get("tls");
        assertThat(tls.get("viewer").get("enabled").asBoolean()).isTrue();
        assertThat(tls.get("viewer").get("certificate").asText()).startsWith("CN=127.0.0.1,O=Nova Fanout tests");
        assertThat(tls.get("viewer").get("not_after").asText())
                .isEqualTo(io.nova.fanout.protocol.Timestamps.format(first.certificate().getNotAfter().toInstant()));
        assertThat(tls.get("viewer").get("reload_problem").isNull()).isTrue();
        assertThat(tls.get("internal").get("certificate").asText())
                .contains("serial " + internal.certificate().getSerialNumber().toString(16));
    }

    @Test
    void aRenewedPairServesNewConnectionsWhileOpenViewersStayConnected() throws IOException {
        TestCertificate renewed = TestCertificate.selfSigned("127.0.0.1", "localhost");
        startWithViewerTls();
        fixture.broadcaster().goLive(STREAM);
        ViewerClient before = wssViewer(first);
        before.awaitEvent("connection_established", WAIT);

        renewed.writeTo(certFile, keyFile);
        await("new connections are shown the renewed certificate", () -> {
            try {
                return presented(fixture.port(), first, renewed).equals(renewed.certificate());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });

        ViewerClient after = wssViewer(renewed);
        after.awaitEvent("connection_established", WAIT);
        assertThat(fixture.broadcaster().events(STREAM, Broadcaster.bitrateUpdate(3000).toString()).status())
                .isEqualTo(200);
        // The open connection keeps the session it made with the first certificate.
        assertThat(before.awaitEvent("bitrate_update", WAIT).data().get("current_bitrate_kbps").asInt()).isEqualTo(3000);
        assertThat(after.awaitEvent("bitrate_update", WAIT).data().get("current_bitrate_kbps").asInt()).isEqualTo(3000);
        assertThat(before.isOpen()).isTrue();
        assertThatThrownBy(() -> wssViewer(first)).isInstanceOf(IllegalStateException.class);
        assertThat(metric("nova_tls_reloads_total", "port=\"viewer\"", "outcome=\"applied\"")).isEqualTo(1);
    }

    @Test
    void aRefusedRenewalKeepsServingTheOldPairUntilAGoodOneArrives() throws IOException {
        TestCertificate renewed = TestCertificate.selfSigned("127.0.0.1");
        startWithViewerTls();

        // The new certificate beside the old key: a renewal caught half way, or a mistake.
        TestCertificate.writeAtomically(certFile, renewed.certificatePem());
        await("the refused reload is counted",
              () -> metric("nova_tls_reloads_total", "port=\"viewer\"", "outcome=\"failed\"") == 1);

        assertThat(presented(fixture.port(), first, renewed)).isEqualTo(first.certificate());
        RawHttp.Response status = RawHttp.get(fixture.internalPort(), "/status");
        assertThat(Json.parse(status.bodyText()).get("tls").get("viewer").get("reload_problem").asText())
                .startsWith("tlsKey: " + keyFile + ": the private key does not belong to the first certificate");

        TestCertificate.writeAtomically(keyFile, renewed.pkcs8KeyPem());
        await("the completed renewal is taken", () -> {
            try {
                return presented(fixture.port(), first, renewed).equals(renewed.certificate());
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        assertThat(metric("nova_tls_reloads_total", "port=\"viewer\"", "outcome=\"failed\"")).isEqualTo(1);
    }

    @Test
    void clientsThatNeverSendTheirHelloAreCutOffAtTheHandshakeTimeout() throws IOException {
        Duration timeout = Duration.ofMillis(500);
        fixture = ServerFixture.start(b -> b.tls(certFile, keyFile).internalTls(certFile, keyFile)
                .handshakeTimeout(timeout));

        for (int port : new int[] {fixture.port(), fixture.internalPort()}) {
            try (Socket silent = RawHttp.open(port)) {
                long start = System.nanoTime();
                InputStream in = silent.getInputStream();
                assertThat(in.read()).as("port %d", port).isEqualTo(-1);
                long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
                assertThat(elapsedMillis).as("port %d", port).isBetween(timeout.toMillis() - 100, 4_000L);
            }
        }
        await("both cut-offs are counted", () ->
                metric("nova_tls_handshake_failures_total", "port=\"internal\"", "reason=\"timeout\"") == 1
                && metric("nova_tls_handshake_failures_total", "port=\"viewer\"", "reason=\"timeout\"") == 1);
    }

    @Test
    void theServerProcessRefusesAPairThatCannotServeWithOneLineAndExitStatus2() throws Exception {
        Path otherKey = dir.resolve("other-key.pem");
        TestCertificate.writeAtomically(otherKey, TestCertificate.selfSigned("other.example").pkcs8KeyPem());
        try (ServerProcess server = ServerProcess.startExpectingRefusal(Map.of("NOVA_JWT_SECRET",
                new String(ServerFixture.SECRET, StandardCharsets.UTF_8)), "--tls-cert", certFile.toString(),
                "--tls-key", otherKey.toString())) {
            assertThat(server.awaitExit(Duration.ofSeconds(60))).isEqualTo(2);
            assertThat(server.output()).contains("nova-server: --tls-key: " + otherKey + ": the private key does not " +
                    "belong to the first certificate of tlsCert " + certFile + " (expected: the key of the server's " +
                    "certificate, which comes first, as in fullchain.pem)")
                    .noneMatch(line -> line.startsWith("\tat ") || line.contains("listening"));
        }
    }

    @Test
    void aPairThatCannotServeStopsTheStartNamingTheSetting() {
        TestCertificate.writeAtomically(keyFile, TestCertificate.selfSigned("other.example").pkcs8KeyPem());
        assertThatThrownBy(() -> NovaServer.start(ServerFixture.defaults().tls(certFile, keyFile).build()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("tlsKey: " + keyFile + ": the private key does not belong to the first " +
                                        "certificate of tlsCert " + certFile);
        first.writeTo(certFile, keyFile);
        Path missing = dir.resolve("missing.pem");
        assertThatThrownBy(() -> NovaServer.start(ServerFixture.defaults().tls(certFile, keyFile)
                .internalTls(missing, keyFile).build()))
                .hasMessage("internalTlsCert: " + missing + ": no such file");
    }
}
