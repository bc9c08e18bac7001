package io.nova.fanout.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import io.nova.fanout.server.auth.AuthResult;
import io.nova.fanout.server.auth.Principal;
import io.nova.fanout.server.auth.RejectReason;
import io.nova.fanout.server.auth.StreamGrant;
import io.nova.fanout.server.auth.TokenVerifier;

class DevModeTest {

    private static final Clock CLOCK = Clock.fixed(Instant.parse("2030-01-01T00:00:00Z"), ZoneOffset.UTC);
    private static final Instant IN_24_HOURS = Instant.parse("2030-01-02T00:00:00Z");

    private final DevMode devMode = DevMode.generate(new SecureRandom());
    private final ServerConfig config = devMode.configure(ServerConfig.builder().clock(CLOCK).build());

    @Test
    void generatesAFreshUrlSafeSecretLongEnoughForHs256() {
        assertThat(devMode.secret()).matches("[A-Za-z0-9_-]{43}");
        assertThat(devMode.secret().getBytes(UTF_8).length).isGreaterThanOrEqualTo(TokenVerifier.MIN_SECRET_BYTES);
        assertThat(DevMode.generate(new SecureRandom()).secret()).isNotEqualTo(devMode.secret());
    }

    @Test
    void configureSetsTheSecretAndTheDemoStreamOnly() {
        assertThat(config.devMode()).isFalse();
        assertThat(config.jwtSecret()).isEqualTo(devMode.secret().getBytes(UTF_8));
        assertThat(config.demoStream()).isTrue();
        assertThat(config.clock()).isSameAs(CLOCK);
        assertThat(config.port()).isEqualTo(8080);
    }

    @Test
    void bannerTokensVerifyAgainstTheGeneratedSecret() {
        final String banner = devMode.banner(config, 18080, 18081);
        final TokenVerifier verifier = new TokenVerifier(config.jwtSecret(), CLOCK);

        assertThat(verifier.verify(exported(banner, "NOVA_VIEWER_TOKEN"))).isEqualTo(
                new AuthResult.Authenticated(new Principal("dev-viewer", StreamGrant.any(), false, IN_24_HOURS)));
        assertThat(verifier.verify(exported(banner, "NOVA_BROADCASTER_TOKEN"))).isEqualTo(
                new AuthResult.Authenticated(new Principal("dev-broadcaster", StreamGrant.any(), true, IN_24_HOURS)));
    }

    @Test
    void bannerTokensCarryTheConfiguredAudienceAndIssuer() {
        final ServerConfig checking = devMode.configure(ServerConfig.builder().clock(CLOCK)
                .jwtAudience("nova").jwtIssuer("https://dev.example").build());
        final TokenVerifier verifier = new TokenVerifier(checking.jwtSecret(), null, "nova", "https://dev.example", CLOCK);
        assertThat(verifier.verify(exported(devMode.banner(checking, 1, 2), "NOVA_VIEWER_TOKEN")))
                .isInstanceOf(AuthResult.Authenticated.class);
    }

    @Test
    void bannerTokensLastADay() {
        final String viewerToken = exported(devMode.banner(config, 18080, 18081), "NOVA_VIEWER_TOKEN");
        final Duration justAfter = Duration.ofHours(24).plusSeconds(31);
        assertThat(new TokenVerifier(config.jwtSecret(), Clock.offset(CLOCK, Duration.ofHours(23))).verify(viewerToken))
                .isInstanceOf(AuthResult.Authenticated.class);
        assertThat(new TokenVerifier(config.jwtSecret(), Clock.offset(CLOCK, justAfter)).verify(viewerToken))
                .isEqualTo(new AuthResult.Rejected(RejectReason.EXPIRED));
    }

    @Test
    void bannerShowsSecretAndCommandsForTheBoundPorts() {
        final String banner = devMode.banner(config, 18080, 18081);
        assertThat(banner)
                .contains(DevMode.HEADLINE, devMode.secret())
                .contains("curl -X PUT -H \"Authorization: Bearer $NOVA_BROADCASTER_TOKEN\" " +
                          "-H 'Content-Type: application/json' http://127.0.0.1:18081/internal/v1/streams/demo " +
                          "-d '{\"broadcaster_id\":\"dev-broadcaster\",\"title\":\"Demo stream\"," +
                          "\"quality\":\"1080p\",\"fps\":60,\"bitrate_kbps\":5000}'")
                .contains("curl -X POST -H \"Authorization: Bearer $NOVA_BROADCASTER_TOKEN\" " +
                          "http://127.0.0.1:18081/internal/v1/streams/demo/start")
                .contains("npx wscat -c \"ws://127.0.0.1:18080/api/v1/streams/demo/ws?token=$NOVA_VIEWER_TOKEN\"")
                .containsPattern("\nhttp://127\\.0\\.0\\.1:18080/\\?stream=demo-live&token=[A-Za-z0-9_.-]+\n");
        assertThat(banner.indexOf("export NOVA_BROADCASTER_TOKEN=")).isLessThan(banner.indexOf("curl"));
    }

    @Test
    void bannerSaysHttpsAndWssForThePortsThatSpeakTls() {
        final ServerConfig viewerTls = config.toBuilder().tls(Path.of("c.pem"), Path.of("k.pem")).build();
        assertThat(devMode.banner(viewerTls, 18080, 18081))
                .contains("npx wscat -c \"wss://127.0.0.1:18080/api/v1/streams/demo/ws?token=")
                .containsPattern("\nhttps://127\\.0\\.0\\.1:18080/\\?stream=demo-live&token=")
                .contains(" http://127.0.0.1:18081/internal/v1/streams/demo/start");
        final ServerConfig internalTls = config.toBuilder().internalTls(Path.of("c.pem"), Path.of("k.pem")).build();
        assertThat(devMode.banner(internalTls, 18080, 18081))
                .contains(" https://127.0.0.1:18081/internal/v1/streams/demo/start",
                          "application/json' https://127.0.0.1:18081/internal/v1/streams/demo ")
                .contains("npx wscat -c \"ws://127.0.0.1:18080/");
    }

    @Test
    void bannerUsesAConcreteBindAddressAsIs() {
        final ServerConfig bound = config.toBuilder().host("::1").internalHost("10.1.2.3").build();
        assertThat(devMode.banner(bound, 1, 2)).contains("ws://[::1]:1/", "http://10.1.2.3:2/");
    }

    private static String exported(String banner, String variable) {
        final Matcher matcher = Pattern.compile("(?m)^export " + variable + "=(\\S+)$").matcher(banner);
        assertThat(matcher.find()).as("export line for %s", variable).isTrue();
        return matcher.group(1);
    }
}
