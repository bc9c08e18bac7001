package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** Assertions several integration tests share. */
final class ItAssertions {
    static final String ISO_MILLIS_UTC = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    private ItAssertions() {
    }

    /** A refusal before the upgrade: the status, no upgrade, a JSON body of exactly error_code and error_message. */
    static void assertRefusal(RawHttp.Response response, int status, String errorCode) {
        assertThat(response.status()).as("%s", response).isEqualTo(status);
        assertThat(response.header("Upgrade")).as("no upgrade in %s", response).isNull();
        assertThat(response.header("Content-Type")).as("%s", response).startsWith("application/json");
        JsonNode body = Json.parse(response.bodyText());
        assertThat(Json.fieldNames(body)).as("%s", response).containsExactlyInAnyOrder("error_code", "error_message");
        assertThat(body.get("error_code").asText()).isEqualTo(errorCode);
        assertThat(body.get("error_message").isTextual()).isTrue();
        assertThat(body.get("error_message").asText()).isNotBlank();
    }

    /** Stream events whose seq grows by exactly one from the first. */
    static void assertContiguous(List<ViewerClient.Received> events) {
        assertThat(events).isNotEmpty();
        for (int i = 1; i < events.size(); i++) {
            assertThat(events.get(i).seq()).as("seq after %s", events.get(i - 1)).isEqualTo(events.get(i - 1).seq() + 1);
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
