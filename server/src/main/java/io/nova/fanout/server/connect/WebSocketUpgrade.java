package io.nova.fanout.server.connect;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;

/**
 * Whether a request is an RFC 6455 upgrade this server will complete. Checked before handing a request to
 * Netty's handshaker, which would otherwise answer in plain text, or fall back to obsolete drafts.
 */
public enum WebSocketUpgrade {
    VALID(null),
    NOT_AN_UPGRADE("not a WebSocket upgrade request"),
    UNSUPPORTED_VERSION("unsupported WebSocket version (supported: " + WebSocketUpgrade.SUPPORTED_VERSION + ")");

    /** The only version a client may ask for; refusals name it in {@code Sec-WebSocket-Version}. */
    public static final String SUPPORTED_VERSION = "13";

    private final String problem;

    WebSocketUpgrade(String problem) {
        this.problem = problem;
    }

    /** Why the request cannot be upgraded, or {@code null} for {@link #VALID}. */
    public String problem() {
        return problem;
    }

    public static WebSocketUpgrade of(HttpRequest request) {
        HttpHeaders headers = request.headers();
        if (!HttpMethod.GET.equals(request.method())
                // An Upgrade value that is "websocket" as a whole, as Netty's handshaker demands: a list such as
                // "websocket, h2c" passed here, and the handshaker then failed an admitted viewer (found by
                // ViewerHandshakeFuzzTest).
                || !headers.contains(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true)
                || !headers.containsValue(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE, true)
                || !headers.contains(HttpHeaderNames.SEC_WEBSOCKET_KEY)) {
            return NOT_AN_UPGRADE;
        }
        return SUPPORTED_VERSION.equals(headers.get(HttpHeaderNames.SEC_WEBSOCKET_VERSION)) ? VALID : UNSUPPORTED_VERSION;
    }
}
