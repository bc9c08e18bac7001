package io.nova.fanout.protocol;

import java.util.Objects;

/**
 * Asks for a {@link StreamInfo}.
 *
 * @param requestId echoed in the answer; 1 to {@link ProtocolLimits#MAX_REQUEST_ID_CHARS} characters
 */
public record GetStreamInfo(String requestId) implements ClientMessage {

    public GetStreamInfo {
        Objects.requireNonNull(requestId, "requestId");
    }

    @Override
    public String eventName() {
        return EventNames.GET_STREAM_INFO;
    }
}
