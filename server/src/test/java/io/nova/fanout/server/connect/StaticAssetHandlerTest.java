package io.nova.fanout.server.connect;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StaticAssetHandlerTest {
    private static final byte[] SCRIPT = "export const x = 1;\n".getBytes(StandardCharsets.UTF_8);
    private static final StaticAssets.Asset ASSET = StaticAssets.Asset.of(SCRIPT, "text/javascript; charset=utf-8");

    private final EmbeddedChannel channel = new EmbeddedChannel(
            new StaticAssetHandler(StaticAssets.of(Map.of("/client/x.js", ASSET))));

    @AfterEach
    void releaseLeftovers() {
        channel.finishAndReleaseAll(); // a no-op after a passing test
    }

    private static FullHttpRequest request(HttpMethod method, String uri) {
        return new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri);
    }

    /** Sends the request and returns the answer's status, headers and body, the answer released. */
    private Answer exchange(FullHttpRequest request) {
        assertThat(channel.writeInbound(request)).as("nothing passed on").isFalse();
        FullHttpResponse response = channel.readOutbound();
        assertThat(response).isNotNull();
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(request.refCnt()).as("request released").isZero();
        try {
            return new Answer(response.status(), response.headers().copy().entries().stream()
                    .collect(java.util.stream.Collectors.toMap(e -> e.getKey().toLowerCase(java.util.Locale.ROOT),
                            Map.Entry::getValue, (a, b) -> a)),
                    response.content().toString(StandardCharsets.UTF_8));
        } finally {
            response.release();
        }
    }

    private record Answer(HttpResponseStatus status, Map<String, String> headers, String body) {
    }

    @Test
    void servesTheFileWithItsTypeAValidatorAndCors() {
        Answer answer = exchange(request(HttpMethod.GET, "/client/x.js?v=2"));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(answer.body()).isEqualTo("export const x = 1;\n");
        assertThat(answer.headers()).containsEntry("content-type", "text/javascript; charset=utf-8")
                .containsEntry("content-length", String.valueOf(SCRIPT.length))
                .containsEntry("etag", ASSET.etag())
                .containsEntry("cache-control", "no-cache")
                .containsEntry("x-content-type-options", "nosniff")
                .containsEntry("access-control-allow-origin", "*");
        assertThat(ASSET.etag()).matches("\"[0-9a-f]{32}\"");
        assertThat(channel.isOpen()).as("keep-alive by default in HTTP/1.1").isTrue();
    }

    @Test
    void aMatchingIfNoneMatchIs304WithoutABody() {
        FullHttpRequest request = request(HttpMethod.GET, "/client/x.js");
        request.headers().set(HttpHeaderNames.IF_NONE_MATCH, ASSET.etag());

        Answer answer = exchange(request);

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.NOT_MODIFIED);
        assertThat(answer.body()).isEmpty();
        assertThat(answer.headers()).containsEntry("etag", ASSET.etag()).doesNotContainKey("content-length");
    }

    @Test
    void headHasTheLengthButNoBody() {
        Answer answer = exchange(request(HttpMethod.HEAD, "/client/x.js"));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.OK);
        assertThat(answer.body()).isEmpty();
        assertThat(answer.headers()).containsEntry("content-length", String.valueOf(SCRIPT.length));
    }

    @Test
    void otherMethodsAre405WithAllow() {
        Answer answer = exchange(request(HttpMethod.POST, "/client/x.js"));

        assertThat(answer.status()).isEqualTo(HttpResponseStatus.METHOD_NOT_ALLOWED);
        assertThat(answer.headers()).containsEntry("allow", "GET, HEAD");
        assertThat(answer.body()).contains("\"error_code\":\"METHOD_NOT_ALLOWED\"");
        assertThat(channel.isOpen()).as("an error closes the connection").isFalse();
    }

    @Test
    void everyOtherPathIsPassedOnUntouched() {
        FullHttpRequest request = request(HttpMethod.GET, "/client/x.jsx");

        assertThat(channel.writeInbound(request)).isTrue();
        FullHttpRequest passed = channel.readInbound();
        assertThat(passed).isSameAs(request);
        assertThat(passed.refCnt()).isEqualTo(1);
        passed.release();
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void theViewerPortServesTheClientOfTheProtocolModuleAndTheDemoPage() throws IOException {
        StaticAssets assets = StaticAssets.viewerPort();

        // Maven runs the tests of a module in its own directory.
        assertThat(assets.find("/client/nova-viewer.js").body())
                .isEqualTo(Files.readAllBytes(Path.of("../protocol/js/nova-viewer.js")));
        assertThat(assets.find("/client/nova-viewer.d.ts").body())
                .isEqualTo(Files.readAllBytes(Path.of("../protocol/js/nova-viewer.d.ts")));
        assertThat(assets.find("/client/nova-viewer.js").contentType()).isEqualTo("text/javascript; charset=utf-8");
        assertThat(assets.find("/").contentType()).isEqualTo("text/html; charset=utf-8");
        assertThat(new String(assets.find("/").body(), StandardCharsets.UTF_8))
                .contains("import { NovaViewer } from '/client/nova-viewer.js'");
        assertThat(assets.find("/index.html")).isNull();
    }
}
