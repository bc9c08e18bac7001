package io.nova.fanout.server.broadcast;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.nova.fanout.server.auth.TokenVerifier;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * What the internal API's handlers share: token checks, the JSON mapper, the clock, the metrics scrape and
 * the server's {@code /status} snapshot.
 */
public record BroadcasterApiContext(TokenVerifier tokens, ObjectMapper mapper, Clock clock,
        Supplier<String> metricsScrape, Supplier<JsonNode> status, int maxFrameBytes) {

    /** The mapper the API needs: one JSON value per body, so nothing after it is silently dropped. */
    public static ObjectMapper newObjectMapper() {
        return new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }
}
