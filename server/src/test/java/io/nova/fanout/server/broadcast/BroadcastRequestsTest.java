package io.nova.fanout.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.server.broadcast.FieldErrors.FieldError;
import io.nova.fanout.server.stream.StreamChange;
import io.nova.fanout.server.stream.StreamMetadata;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class BroadcastRequestsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String QUALITY_EXPECTED = "expected a quality like 720p, 1080p, 4k or auto";

    private final FieldErrors errors = new FieldErrors();

    /** Parses JSON written with single quotes, for readability. */
    private static JsonNode json(String text) {
        try {
            return MAPPER.readTree(text.replace('\'', '"'));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static String metadataJson(String field, String valueJson) {
        ObjectNode node = (ObjectNode) json("{'broadcaster_id':'user-123','broadcaster_name':'Streamer123',"
                + "'title':'Live','description':'Playing','quality':'1080p','fps':60,'bitrate_kbps':5000}");
        if (field != null) {
            node.set(field, json(valueJson));
        }
        return node.toString();
    }

    private StreamMetadata metadataWith(String field, String valueJson) {
        return BroadcastRequests.metadata(json(metadataJson(field, valueJson)), errors);
    }

    private void assertSingleError(String field, String message) {
        assertThat(errors.list()).containsExactly(new FieldError(field, message));
    }

    // --- metadata ---------------------------------------------------------------------------------

    @Test
    void readsCompleteMetadata() {
        StreamMetadata metadata = BroadcastRequests.metadata(json(metadataJson(null, null)), errors);
        assertThat(errors.isEmpty()).isTrue();
        assertThat(metadata).isEqualTo(new StreamMetadata("user-123", "Streamer123", "Live", "Playing", "1080p", 60, 5000));
    }

    @Test
    void broadcasterNameDefaultsToTheIdAndDescriptionToEmpty() {
        StreamMetadata metadata = BroadcastRequests.metadata(
                json("{'broadcaster_id':'user-123','title':'Live','quality':'720p','fps':30,'bitrate_kbps':3000}"),
                errors);
        assertThat(errors.list()).isEmpty();
        assertThat(metadata.broadcasterName()).isEqualTo("user-123");
        assertThat(metadata.description()).isEmpty();
    }

    @Test
    void nullOptionalFieldsCountAsAbsent() {
        StreamMetadata metadata = BroadcastRequests.metadata(json("{'broadcaster_id':'b','broadcaster_name':null,"
                + "'title':'t','description':null,'quality':'auto','fps':1,'bitrate_kbps':1}"), errors);
        assertThat(errors.list()).isEmpty();
        assertThat(metadata.broadcasterName()).isEqualTo("b");
        assertThat(metadata.description()).isEmpty();
    }

    @Test
    void reportsEveryMissingRequiredField() {
        assertThat(BroadcastRequests.metadata(json("{}"), errors)).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("broadcaster_id", "required"),
                new FieldError("title", "required"),
                new FieldError("quality", "required"),
                new FieldError("fps", "required"),
                new FieldError("bitrate_kbps", "required"));
    }

    @Test
    void aBodyThatIsNotAnObjectIsRefused() {
        assertThat(BroadcastRequests.metadata(json("[1,2]"), errors)).isNull();
        assertSingleError("body", "expected a JSON object");
        FieldErrors more = new FieldErrors();
        assertThat(BroadcastRequests.metadata(null, more)).isNull();
        assertThat(BroadcastRequests.metadata(MissingNode.getInstance(), more)).isNull();
        assertThat(BroadcastRequests.metadata(json("'text'"), more)).isNull();
        assertThat(more.list()).extracting(FieldError::field).containsExactly("body", "body", "body");
    }

    @Test
    void refusesUnknownFields() {
        assertThat(metadataWith("viewer_count", "10")).isNull();
        assertSingleError("viewer_count", "unknown field");
    }

    @Test
    void stringFieldsAreBounded() {
        assertThat(metadataWith("broadcaster_id", "''")).isNull();
        assertThat(metadataWith("broadcaster_id", "'" + "a".repeat(129) + "'")).isNull();
        assertThat(metadataWith("broadcaster_id", "42")).isNull();
        assertThat(metadataWith("broadcaster_name", "'" + "a".repeat(129) + "'")).isNull();
        assertThat(metadataWith("title", "'" + "a".repeat(257) + "'")).isNull();
        assertThat(metadataWith("description", "'" + "a".repeat(4097) + "'")).isNull();
        assertThat(metadataWith("title", "['x']")).isNull();
        assertThat(errors.list()).extracting(FieldError::field, FieldError::message).containsExactly(
                tuple("broadcaster_id", "expected a string of 1..128 characters"),
                tuple("broadcaster_id", "expected a string of 1..128 characters"),
                tuple("broadcaster_id", "expected a string of 1..128 characters"),
                tuple("broadcaster_name", "expected a string of 1..128 characters"),
                tuple("title", "expected a string of 1..256 characters"),
                tuple("description", "expected a string of 1..4096 characters"),
                tuple("title", "expected a string of 1..256 characters"));
    }

    @Test
    void stringsAndNumbersAtTheirLimitAreAccepted() {
        StreamMetadata metadata = BroadcastRequests.metadata(json("{'broadcaster_id':'" + "a".repeat(128) + "','title':'"
                + "t".repeat(256) + "','description':'" + "d".repeat(4096)
                + "','quality':'4k','fps':240,'bitrate_kbps':1000000}"), errors);
        assertThat(errors.list()).isEmpty();
        assertThat(metadata.fps()).isEqualTo(240);
        assertThat(metadata.bitrateKbps()).isEqualTo(1_000_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"720p", "1080p", "4k", "auto", "480p", "2160p", "2k", "8k"})
    void acceptsQualityLevels(String quality) {
        StreamMetadata metadata = metadataWith("quality", "'" + quality + "'");
        assertThat(errors.list()).isEmpty();
        assertThat(metadata.quality()).isEqualTo(quality);
    }

    @ParameterizedTest
    @ValueSource(strings = {"fullhd", "720P", "720", "1k", "10000p", "AUTO", "4K", "hd"})
    void refusesOtherQualityNames(String quality) {
        assertThat(metadataWith("quality", "'" + quality + "'")).isNull();
        assertSingleError("quality", QUALITY_EXPECTED);
    }

    @Test
    void qualityMustBeAShortString() {
        assertThat(metadataWith("quality", "''")).isNull();
        assertThat(metadataWith("quality", "1080")).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("quality", "expected a string of 1..16 characters"),
                new FieldError("quality", "expected a string of 1..16 characters"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "241", "-1", "30.5", "'30'", "true", "99999999999999999999"})
    void fpsMustBeAnIntegerInRange(String fps) {
        assertThat(metadataWith("fps", fps)).isNull();
        assertSingleError("fps", "expected an integer in 1..240");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1000001", "4294967297", "5000.0"})
    void bitrateMustBeAnIntegerInRange(String bitrate) {
        assertThat(metadataWith("bitrate_kbps", bitrate)).isNull();
        assertSingleError("bitrate_kbps", "expected an integer in 1..1000000");
    }

    @Test
    void collectsSeveralErrorsAtOnce() {
        assertThat(BroadcastRequests.metadata(json("{'broadcaster_id':'','title':'t','quality':'fullhd','fps':0,"
                + "'bitrate_kbps':5000,'extra':1}"), errors)).isNull();
        assertThat(errors.list()).containsExactlyInAnyOrder(
                new FieldError("extra", "unknown field"),
                new FieldError("broadcaster_id", "expected a string of 1..128 characters"),
                new FieldError("quality", QUALITY_EXPECTED),
                new FieldError("fps", "expected an integer in 1..240"));
    }

    // --- events: quality_changed ------------------------------------------------------------------

    private StreamChange event(String text) {
        return BroadcastRequests.event(json(text), "", Set.of(), errors);
    }

    @Test
    void readsAQualityChange() {
        StreamChange change = event("{'event':'quality_changed','data':{'new_quality':'720p','new_bitrate_kbps':3000,"
                + "'reason':'adaptive_bitrate'}}");
        assertThat(errors.list()).isEmpty();
        assertThat(change).isEqualTo(new StreamChange.ChangeQuality("720p", 3000, null,
                QualityChangeReason.ADAPTIVE_BITRATE));

        StreamChange withFps = event("{'event':'quality_changed','data':{'new_quality':'4k','new_bitrate_kbps':20000,"
                + "'fps':30,'reason':'broadcaster_changed'}}");
        assertThat(withFps).isEqualTo(new StreamChange.ChangeQuality("4k", 20000, 30,
                QualityChangeReason.BROADCASTER_CHANGED));
    }

    @Test
    void qualityChangeFieldsAreChecked() {
        assertThat(event("{'event':'quality_changed','data':{'new_quality':'fullhd','new_bitrate_kbps':0,'fps':500,"
                + "'reason':'because'}}")).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("data.new_quality", QUALITY_EXPECTED),
                new FieldError("data.new_bitrate_kbps", "expected an integer in 1..1000000"),
                new FieldError("data.fps", "expected an integer in 1..240"),
                new FieldError("data.reason",
                        "expected one of adaptive_bitrate, broadcaster_changed, network_congestion, quality_degradation"));
    }

    @Test
    void qualityChangeRequiredFields() {
        assertThat(event("{'event':'quality_changed','data':{}}")).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("data.new_quality", "required"),
                new FieldError("data.new_bitrate_kbps", "required"),
                new FieldError("data.reason", "required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"previous_quality", "previous_bitrate_kbps", "stream_id", "timestamp"})
    void qualityChangeRefusesServerSetFields(String field) {
        assertThat(event("{'event':'quality_changed','data':{'new_quality':'720p','new_bitrate_kbps':3000,"
                + "'reason':'adaptive_bitrate','" + field + "':'x'}}")).isNull();
        assertSingleError("data." + field, "set by the server; do not send it");
    }

    // --- events: bitrate_update -------------------------------------------------------------------

    @Test
    void readsABitrateReport() {
        assertThat(event("{'event':'bitrate_update','data':{'current_bitrate_kbps':4850}}"))
                .isEqualTo(new StreamChange.ReportBitrate(4850));
        assertThat(event("{'event':'bitrate_update','data':{'current_bitrate_kbps':0}}"))
                .as("zero is a valid measurement").isEqualTo(new StreamChange.ReportBitrate(0));
        assertThat(errors.list()).isEmpty();
    }

    @Test
    void bitrateReportFieldsAreChecked() {
        assertThat(event("{'event':'bitrate_update','data':{}}")).isNull();
        assertThat(event("{'event':'bitrate_update','data':{'current_bitrate_kbps':-1}}")).isNull();
        assertThat(event("{'event':'bitrate_update','data':{'current_bitrate_kbps':1,'fps':3}}")).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("data.current_bitrate_kbps", "required"),
                new FieldError("data.current_bitrate_kbps", "expected an integer in 0..1000000"),
                new FieldError("data.fps", "unknown field"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"quality", "health", "stream_id"})
    void bitrateReportRefusesServerSetFields(String field) {
        assertThat(event("{'event':'bitrate_update','data':{'current_bitrate_kbps':4850,'" + field + "':'good'}}"))
                .isNull();
        assertSingleError("data." + field, "set by the server; do not send it");
    }

    @Test
    void aBitrateReportMayCarryItsMeasurementTime() {
        StreamChange change = event("{'event':'bitrate_update','data':{'current_bitrate_kbps':4850,"
                + "'timestamp':'2025-10-21T10:40:30.123Z'}}");
        assertThat(errors.list()).isEmpty();
        assertThat(change).isEqualTo(new StreamChange.ReportBitrate(4850, Instant.parse("2025-10-21T10:40:30.123Z")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"'yesterday'", "1761043230", "'2025-10-21 10:40:30'"})
    void aMeasurementTimeMustBeAnIsoInstant(String value) {
        assertThat(event("{'event':'bitrate_update','data':{'current_bitrate_kbps':4850,'timestamp':" + value + "}}"))
                .isNull();
        assertSingleError("data.timestamp", "expected an ISO-8601 UTC timestamp such as 2025-10-21T10:40:30.000Z");
    }

    // --- events: error ----------------------------------------------------------------------------

    @Test
    void readsAnError() {
        StreamChange change = event("{'event':'error','data':{'error_code':'RTMP_CONNECTION_LOST',"
                + "'error_message':'RTMP broadcaster connection lost','severity':'critical','recoverable':false,"
                + "'suggested_action':'Refresh page or try again later'}}");
        assertThat(errors.list()).isEmpty();
        assertThat(change).isEqualTo(new StreamChange.RaiseError(ErrorCode.RTMP_CONNECTION_LOST,
                "RTMP broadcaster connection lost", Severity.CRITICAL, false, "Refresh page or try again later"));

        assertThat(event("{'event':'error','data':{'error_code':'BUFFER_OVERFLOW','error_message':'m',"
                + "'severity':'info','recoverable':true}}"))
                .isEqualTo(new StreamChange.RaiseError(ErrorCode.BUFFER_OVERFLOW, "m", Severity.INFO, true, null));
    }

    @ParameterizedTest
    @ValueSource(strings = {"SERVER_SHUTDOWN", "TOKEN_EXPIRED", "INVALID_TOKEN"})
    void theServersOwnNoticesToOneViewerAreNotTheBroadcastersToSend(String code) {
        assertThat(event("{'event':'error','data':{'error_code':'" + code + "','error_message':'m',"
                + "'severity':'info','recoverable':true}}")).isNull();
        assertSingleError("data.error_code", "expected one of STREAM_NOT_FOUND, STREAM_ENDED, CONNECTION_REJECTED, "
                + "PROTOCOL_ERROR, SERVER_ERROR, RTMP_CONNECTION_LOST, RTMP_HANDSHAKE_FAILED, BUFFER_OVERFLOW, "
                + "UNAUTHORIZED, RATE_LIMITED");
    }

    @Test
    void messagesDroppedIsTheServersOwnCode() {
        assertThat(event("{'event':'error','data':{'error_code':'MESSAGES_DROPPED','error_message':'m',"
                + "'severity':'info','recoverable':true}}")).isNull();
        assertSingleError("data.error_code", "expected one of STREAM_NOT_FOUND, STREAM_ENDED, CONNECTION_REJECTED, "
                + "PROTOCOL_ERROR, SERVER_ERROR, RTMP_CONNECTION_LOST, RTMP_HANDSHAKE_FAILED, BUFFER_OVERFLOW, "
                + "UNAUTHORIZED, RATE_LIMITED");
    }

    @Test
    void errorFieldsAreChecked() {
        assertThat(event("{'event':'error','data':{'error_code':'rtmp_connection_lost','error_message':'',"
                + "'severity':'fatal','recoverable':'no','suggested_action':7}}")).isNull();
        assertThat(errors.list()).extracting(FieldError::field).containsExactly("data.error_code",
                "data.error_message", "data.severity", "data.recoverable", "data.suggested_action");
        assertThat(errors.list().get(2).message()).isEqualTo("expected one of info, warning, error, critical");
        assertThat(errors.list().get(3).message()).isEqualTo("expected true or false");
    }

    @Test
    void errorRequiredFields() {
        assertThat(event("{'event':'error','data':{}}")).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("data.error_code", "required"),
                new FieldError("data.error_message", "required"),
                new FieldError("data.severity", "required"),
                new FieldError("data.recoverable", "required"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "0", "'true'", "null"})
    void recoverableMustBeABoolean(String value) {
        assertThat(event("{'event':'error','data':{'error_code':'SERVER_ERROR','error_message':'m',"
                + "'severity':'error','recoverable':" + value + "}}")).isNull();
        assertSingleError("data.recoverable", value.equals("null") ? "required" : "expected true or false");
    }

    @ParameterizedTest
    @ValueSource(strings = {"timestamp", "dropped_count"})
    void errorRefusesServerSetFields(String field) {
        assertThat(event("{'event':'error','data':{'error_code':'SERVER_ERROR','error_message':'m',"
                + "'severity':'error','recoverable':true,'" + field + "':1}}")).isNull();
        assertSingleError("data." + field, "set by the server; do not send it");
    }

    // --- events: envelope -------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"stream_started", "stream_ended", "viewer_count_changed", "ping", "nonsense"})
    void refusesEventsABroadcasterCannotSend(String name) {
        assertThat(event("{'event':'" + name + "','data':{}}")).isNull();
        assertSingleError("event", "expected one of quality_changed, bitrate_update, error");
    }

    @Test
    void theEnvelopeNeedsAnEventAndADataObject() {
        assertThat(event("{'data':{}}")).isNull();
        assertThat(event("{'event':'bitrate_update'}")).isNull();
        assertThat(event("{'event':'bitrate_update','data':[1]}")).isNull();
        assertThat(event("{'event':'bitrate_update','data':'x'}")).isNull();
        assertThat(event("{'event':3,'data':{}}")).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("event", "required"),
                new FieldError("data", "required"),
                new FieldError("data", "expected an object"),
                new FieldError("data", "expected an object"),
                new FieldError("event", "expected a string of 1..64 characters"));
    }

    @Test
    void theEnvelopeRefusesUnknownKeysUnlessAllowed() {
        // Callers go by the errors, not by the returned change.
        event("{'event':'bitrate_update','seq':3,'data':{'current_bitrate_kbps':1}}");
        assertSingleError("seq", "unknown field");

        FieldErrors ingest = new FieldErrors();
        StreamChange change = BroadcastRequests.event(json("{'stream_id':'s1','event':'bitrate_update',"
                + "'data':{'current_bitrate_kbps':1}}"), "", Set.of("stream_id"), ingest);
        assertThat(ingest.list()).isEmpty();
        assertThat(change).isEqualTo(new StreamChange.ReportBitrate(1));
    }

    @Test
    void anEventThatIsNotAnObjectIsRefused() {
        assertThat(BroadcastRequests.event(json("42"), "", Set.of(), errors)).isNull();
        assertThat(BroadcastRequests.event(json("[]"), "[3].", Set.of(), errors)).isNull();
        assertThat(BroadcastRequests.event(null, "[4].", Set.of(), errors)).isNull();
        assertThat(errors.list()).containsExactly(
                new FieldError("body", "expected a JSON object"),
                new FieldError("[3]", "expected a JSON object"),
                new FieldError("[4]", "expected a JSON object"));
    }

    @Test
    void errorsOfArrayElementsCarryTheirIndex() {
        JsonNode array = json("[{'event':'bitrate_update','data':{'current_bitrate_kbps':10}},"
                + "{'event':'quality_changed','data':{'new_quality':'720p','new_bitrate_kbps':'lots',"
                + "'reason':'adaptive_bitrate','previous_quality':'1080p'}},"
                + "{'event':'nope','data':{}},"
                + "{'event':'error'}]");
        for (int i = 0; i < array.size(); i++) {
            BroadcastRequests.event(array.get(i), "[" + i + "].", Set.of(), errors);
        }
        assertThat(errors.list()).containsExactly(
                new FieldError("[1].data.previous_quality", "set by the server; do not send it"),
                new FieldError("[1].data.new_bitrate_kbps", "expected an integer in 1..1000000"),
                new FieldError("[2].event", "expected one of quality_changed, bitrate_update, error"),
                new FieldError("[3].data", "required"));
    }

    // --- end reason -------------------------------------------------------------------------------

    @Test
    void readsEveryEndReason() {
        for (EndReason reason : EndReason.values()) {
            assertThat(BroadcastRequests.endReason(json("{'reason':'" + reason.wireName() + "'}"), errors))
                    .isEqualTo(reason);
        }
        assertThat(errors.list()).isEmpty();
    }

    @Test
    void endReasonIsChecked() {
        assertThat(BroadcastRequests.endReason(json("{'reason':'bored'}"), errors)).isNull();
        assertThat(BroadcastRequests.endReason(json("{}"), errors)).isNull();
        assertThat(BroadcastRequests.endReason(json("{'reason':1}"), errors)).isNull();
        assertThat(BroadcastRequests.endReason(json("[]"), errors)).isNull();
        String expected = "expected one of broadcaster_ended, connection_lost, session_timeout, error";
        assertThat(errors.list()).containsExactly(
                new FieldError("reason", expected),
                new FieldError("reason", "required"),
                new FieldError("reason", expected),
                new FieldError("body", "expected a JSON object"));
    }

    @Test
    void endRefusesUnknownFields() {
        BroadcastRequests.endReason(json("{'reason':'error','why':'x'}"), errors);
        assertSingleError("why", "unknown field");
    }

    // --- FieldErrors ------------------------------------------------------------------------------

    @Test
    void summaryJoinsEveryErrorOnOneLine() {
        FieldErrors list = new FieldErrors();
        assertThat(list.isEmpty()).isTrue();
        assertThat(list.summary()).isEmpty();
        list.add("a", "required");
        list.add("", "whole body is wrong");
        list.add("[1].data.fps", "expected an integer in 1..240");
        assertThat(list.isEmpty()).isFalse();
        assertThat(list.summary()).isEqualTo("a: required; whole body is wrong; [1].data.fps: expected an integer in 1..240");
    }
}
