package io.nova.fanout.protocol;

/**
 * WebSocket close codes the server uses. All but {@link #PING_TIMEOUT} are the RFC 6455 codes;
 * 4000 lies in the range RFC 6455 leaves to applications.
 */
public final class CloseCodes {

    /** The purpose of the connection was fulfilled, for example the stream ended. */
    public static final int NORMAL = 1000;

    /** The server is shutting down. */
    public static final int GOING_AWAY = 1001;

    /** The peer broke the WebSocket protocol itself (not the JSON on top of it). */
    public static final int PROTOCOL_ERROR = 1002;

    /** A frame the server cannot use: the seed answers an unparseable or unknown message with this. */
    public static final int UNSUPPORTED_DATA = 1003;

    /** A text frame that is not valid UTF-8. */
    public static final int INVALID_PAYLOAD = 1007;

    /** The viewer lost its right to stay, for example its token expired. */
    public static final int POLICY_VIOLATION = 1008;

    /** A frame larger than {@link ProtocolLimits#MAX_FRAME_BYTES}. */
    public static final int MESSAGE_TOO_BIG = 1009;

    /** The server failed in a way that is not the viewer's fault. */
    public static final int INTERNAL_ERROR = 1011;

    /** The viewer stopped answering pings within the seed's ping timeout. */
    public static final int PING_TIMEOUT = 4000;

    private CloseCodes() {
    }
}
