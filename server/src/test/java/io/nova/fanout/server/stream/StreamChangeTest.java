package io.nova.fanout.server.stream;

import static org.assertj.core.api.Assertions.assertThat;

import io.nova.fanout.protocol.BitrateUpdate;
import io.nova.fanout.protocol.EndReason;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.QualityChangeReason;
import io.nova.fanout.protocol.QualityChanged;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.protocol.StreamEnded;
import io.nova.fanout.protocol.StreamHealth;
import io.nova.fanout.protocol.StreamStarted;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.protocol.ViewerCountChanged;
import io.nova.fanout.server.stream.StreamOutcome.Reason;
import io.nova.fanout.server.stream.StreamOutcome.Refused;
import io.nova.fanout.server.stream.Transition.Step;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StreamChangeTest {
    private static final String ID = "s-1";
    private static final Instant CREATED = Instant.parse("2025-10-21T10:00:00Z");
    private static final Instant STARTED = Instant.parse("2025-10-21T10:30:45.123Z");
    private static final Instant NOW = STARTED.plus(Duration.ofSeconds(3600).plusMillis(900));
    private static final ViewerCounts NO_VIEWERS = new ViewerCounts(0, 0);

    private static final StreamMetadata METADATA = new StreamMetadata("user-123", "Streamer123",
            "Live Gaming Session", "Playing competitive games", "1080p", 60, 5000);

    private static StreamState scheduled() {
        return StreamState.scheduled(ID, METADATA, CREATED).withSeq(3);
    }

    private static StreamState active() {
        return scheduled().started(STARTED);
    }

    private static StreamState ended() {
        return active().ended(EndReason.BROADCASTER_ENDED, STARTED.plusSeconds(10));
    }

    private static Step step(Transition transition) {
        assertThat(transition).isInstanceOf(Step.class);
        return (Step) transition;
    }

    private static Refused refused(Transition transition) {
        assertThat(transition).isInstanceOf(Refused.class);
        return (Refused) transition;
    }

    // --- UpdateMetadata ---------------------------------------------------------------------------

    @Test
    void updateMetadataReplacesMetadataAndPublishesNothing() {
        StreamMetadata updated = new StreamMetadata("user-123", "Streamer123", "New title", "", "720p", 30, 3000);
        for (StreamState state : new StreamState[] {scheduled(), active()}) {
            Step step = step(new StreamChange.UpdateMetadata(updated).apply(state, NO_VIEWERS, NOW));
            assertThat(step.event()).isNull();
            assertThat(step.endOfStream()).isFalse();
            assertThat(step.next().metadata()).isEqualTo(updated);
            assertThat(step.next().currentBitrateKbps()).isEqualTo(3000);
            assertThat(step.next().status()).isEqualTo(state.status());
            assertThat(step.next().seq()).isEqualTo(state.seq());
        }
    }

    @Test
    void updateMetadataIsRefusedOnceEnded() {
        Refused refused = refused(new StreamChange.UpdateMetadata(METADATA).apply(ended(), NO_VIEWERS, NOW));
        assertThat(refused.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(refused.message()).isEqualTo("stream s-1 has ended; register a new stream id");
    }

    // --- Start ------------------------------------------------------------------------------------

    @Test
    void startGoesLiveAndAnnouncesTheMetadata() {
        Step step = step(new StreamChange.Start().apply(scheduled(), NO_VIEWERS, NOW));

        assertThat(step.next().status()).isEqualTo(StreamStatus.ACTIVE);
        assertThat(step.next().startedAt()).isEqualTo(NOW);
        assertThat(step.next().seq()).as("seq is the sequencer's job").isEqualTo(3);
        assertThat(step.endOfStream()).isFalse();
        assertThat(step.event()).isEqualTo(new StreamStarted(ID, "user-123", "Live Gaming Session",
                "Playing competitive games", "1080p", 60, 5000, NOW));
    }

    @Test
    void startIsRefusedUnlessScheduled() {
        Refused fromActive = refused(new StreamChange.Start().apply(active(), NO_VIEWERS, NOW));
        assertThat(fromActive.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(fromActive.message()).isEqualTo("stream s-1 is active; only a scheduled stream can start");

        Refused fromEnded = refused(new StreamChange.Start().apply(ended(), NO_VIEWERS, NOW));
        assertThat(fromEnded.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(fromEnded.message()).isEqualTo("stream s-1 is ended; only a scheduled stream can start");
    }

    // --- ChangeQuality ----------------------------------------------------------------------------

    @Test
    void changeQualityFillsThePreviousValuesFromTheState() {
        Step step = step(new StreamChange.ChangeQuality("720p", 3000, null, QualityChangeReason.ADAPTIVE_BITRATE)
                .apply(active(), NO_VIEWERS, NOW));

        assertThat(step.event()).isEqualTo(new QualityChanged(ID, "1080p", "720p", 5000, 3000, 60,
                QualityChangeReason.ADAPTIVE_BITRATE, NOW));
        assertThat(step.next().metadata().quality()).isEqualTo("720p");
        assertThat(step.next().metadata().bitrateKbps()).as("new nominal bitrate").isEqualTo(3000);
        assertThat(step.next().metadata().fps()).as("fps defaults to the current one").isEqualTo(60);
        assertThat(step.next().currentBitrateKbps()).isEqualTo(3000);
        assertThat(step.next().metadata().title()).isEqualTo(METADATA.title());
        assertThat(step.next().status()).isEqualTo(StreamStatus.ACTIVE);
    }

    @Test
    void changeQualityTakesAnExplicitFps() {
        Step step = step(new StreamChange.ChangeQuality("4k", 20_000, 30, QualityChangeReason.BROADCASTER_CHANGED)
                .apply(active(), NO_VIEWERS, NOW));

        QualityChanged event = (QualityChanged) step.event();
        assertThat(event.fps()).isEqualTo(30);
        assertThat(event.previousBitrateKbps()).isEqualTo(5000);
        assertThat(step.next().metadata().fps()).isEqualTo(30);
    }

    @Test
    void consecutiveQualityChangesChainTheirPreviousValues() {
        StreamState state = active();
        state = step(new StreamChange.ChangeQuality("720p", 3000, 30, QualityChangeReason.NETWORK_CONGESTION)
                .apply(state, NO_VIEWERS, NOW)).next();
        Step second = step(new StreamChange.ChangeQuality("auto", 4000, null, QualityChangeReason.QUALITY_DEGRADATION)
                .apply(state, NO_VIEWERS, NOW));

        assertThat(second.event()).isEqualTo(new QualityChanged(ID, "720p", "auto", 3000, 4000, 30,
                QualityChangeReason.QUALITY_DEGRADATION, NOW));
    }

    @Test
    void changeQualityIsRefusedOnceEnded() {
        Refused refused = refused(new StreamChange.ChangeQuality("720p", 3000, null,
                QualityChangeReason.ADAPTIVE_BITRATE).apply(ended(), NO_VIEWERS, NOW));
        assertThat(refused.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(refused.message()).isEqualTo("stream s-1 has ended");
    }

    // --- ReportBitrate ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} of 5000 kbps is {1}")
    @CsvSource({
            "5500, EXCELLENT",
            "5000, EXCELLENT",
            "4501, EXCELLENT",
            "4500, GOOD",
            "4000, GOOD",
            "3500, GOOD",
            "3499, FAIR",
            "2500, FAIR",
            "2499, POOR",
            "0, POOR"})
    void reportBitrateComputesHealthAgainstTheNominalBitrate(int current, StreamHealth health) {
        Step step = step(new StreamChange.ReportBitrate(current).apply(active(), NO_VIEWERS, NOW));

        assertThat(step.event()).isEqualTo(new BitrateUpdate(ID, current, "1080p", health, NOW));
        assertThat(step.next().currentBitrateKbps()).isEqualTo(current);
        assertThat(step.next().metadata().bitrateKbps()).as("nominal unchanged").isEqualTo(5000);
    }

    @Test
    void reportBitrateUsesTheNominalBitrateAfterAQualityChange() {
        StreamState lowered = step(new StreamChange.ChangeQuality("720p", 3000, null,
                QualityChangeReason.ADAPTIVE_BITRATE).apply(active(), NO_VIEWERS, NOW)).next();

        Step step = step(new StreamChange.ReportBitrate(2800).apply(lowered, NO_VIEWERS, NOW));

        assertThat(step.event()).isEqualTo(new BitrateUpdate(ID, 2800, "720p", StreamHealth.EXCELLENT, NOW));
    }

    @Test
    void reportBitrateIsRefusedOnceEnded() {
        Refused refused = refused(new StreamChange.ReportBitrate(1000).apply(ended(), NO_VIEWERS, NOW));
        assertThat(refused.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(refused.message()).isEqualTo("stream s-1 has ended");
    }

    // --- RaiseError -------------------------------------------------------------------------------

    @Test
    void raiseErrorPublishesTheErrorAndLeavesTheStateAlone() {
        StreamState state = active();
        Step step = step(new StreamChange.RaiseError(ErrorCode.RTMP_CONNECTION_LOST, "RTMP broadcaster connection lost",
                Severity.CRITICAL, false, "Refresh page or try again later").apply(state, NO_VIEWERS, NOW));

        assertThat(step.next()).isEqualTo(state);
        assertThat(step.endOfStream()).isFalse();
        assertThat(step.event()).isEqualTo(new ErrorEvent(ErrorCode.RTMP_CONNECTION_LOST,
                "RTMP broadcaster connection lost", Severity.CRITICAL, false, "Refresh page or try again later",
                null, NOW));
    }

    @Test
    void raiseErrorWithoutSuggestedAction() {
        Step step = step(new StreamChange.RaiseError(ErrorCode.BUFFER_OVERFLOW, "overflow", Severity.WARNING, true, null)
                .apply(active(), NO_VIEWERS, NOW));
        ErrorEvent event = (ErrorEvent) step.event();
        assertThat(event.suggestedAction()).isNull();
        assertThat(event.droppedCount()).isNull();
        assertThat(event.recoverable()).isTrue();
    }

    @Test
    void raiseErrorIsRefusedOnceEnded() {
        Refused refused = refused(new StreamChange.RaiseError(ErrorCode.SERVER_ERROR, "x", Severity.ERROR, false, null)
                .apply(ended(), NO_VIEWERS, NOW));
        assertThat(refused.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(refused.message()).isEqualTo("stream s-1 has ended");
    }

    // --- End --------------------------------------------------------------------------------------

    @Test
    void endReportsDurationPeakAndFinalCount() {
        Step step = step(new StreamChange.End(EndReason.CONNECTION_LOST)
                .apply(active(), new ViewerCounts(250, 1500), NOW));

        assertThat(step.endOfStream()).isTrue();
        assertThat(step.event()).isEqualTo(new StreamEnded(ID, 3600, 1500, 250, EndReason.CONNECTION_LOST, NOW));
        StreamState next = step.next();
        assertThat(next.status()).isEqualTo(StreamStatus.ENDED);
        assertThat(next.endReason()).isEqualTo(EndReason.CONNECTION_LOST);
        assertThat(next.endedAt()).isEqualTo(NOW);
        assertThat(next.startedAt()).isEqualTo(STARTED);
        assertThat(next.announcedViewers()).isEqualTo(250);
        assertThat(next.durationSeconds(NOW.plusSeconds(500))).as("frozen at the end").isEqualTo(3600);
    }

    @Test
    void endingAScheduledStreamLastedZeroSeconds() {
        Step step = step(new StreamChange.End(EndReason.SESSION_TIMEOUT).apply(scheduled(), new ViewerCounts(2, 3), NOW));

        assertThat(step.event()).isEqualTo(new StreamEnded(ID, 0, 3, 2, EndReason.SESSION_TIMEOUT, NOW));
        assertThat(step.next().status()).isEqualTo(StreamStatus.ENDED);
    }

    @Test
    void endIsRefusedOnceEnded() {
        Refused refused = refused(new StreamChange.End(EndReason.ERROR).apply(ended(), NO_VIEWERS, NOW));
        assertThat(refused.reason()).isEqualTo(Reason.CONFLICT);
        assertThat(refused.message()).isEqualTo("stream s-1 has ended");
    }

    // --- AnnounceViewers --------------------------------------------------------------------------

    @Test
    void announceViewersPublishesTheNetChange() {
        Step step = step(new StreamChange.AnnounceViewers().apply(active(), new ViewerCounts(5, 7), NOW));

        assertThat(step.event()).isEqualTo(new ViewerCountChanged(ID, 5, 7, 5, NOW));
        assertThat(step.next().announcedViewers()).isEqualTo(5);
        assertThat(step.endOfStream()).isFalse();

        Step down = step(new StreamChange.AnnounceViewers().apply(step.next(), new ViewerCounts(2, 7), NOW));
        assertThat(down.event()).isEqualTo(new ViewerCountChanged(ID, 2, 7, -3, NOW));
        assertThat(down.next().announcedViewers()).isEqualTo(2);
    }

    @Test
    void announceViewersIsSilentWithoutANetChange() {
        StreamState announced = active().withAnnouncedViewers(4);
        Step step = step(new StreamChange.AnnounceViewers().apply(announced, new ViewerCounts(4, 9), NOW));
        assertThat(step.event()).isNull();
        assertThat(step.next()).isEqualTo(announced);
    }

    @Test
    void announceViewersAlsoCountsOnAScheduledStream() {
        Step step = step(new StreamChange.AnnounceViewers().apply(scheduled(), new ViewerCounts(1, 1), NOW));
        assertThat(step.event()).isEqualTo(new ViewerCountChanged(ID, 1, 1, 1, NOW));
    }

    @Test
    void announceViewersIsSilentOnceEnded() {
        StreamState ended = ended();
        Step step = step(new StreamChange.AnnounceViewers().apply(ended, new ViewerCounts(10, 10), NOW));
        assertThat(step.event()).isNull();
        assertThat(step.next()).isEqualTo(ended);
    }

    // --- StreamState ------------------------------------------------------------------------------

    @Test
    void durationCountsWholeSecondsWhileActive() {
        StreamState state = active();
        assertThat(scheduled().durationSeconds(NOW)).isZero();
        assertThat(state.durationSeconds(STARTED)).isZero();
        assertThat(state.durationSeconds(STARTED.plusMillis(1999))).isEqualTo(1);
        assertThat(state.durationSeconds(STARTED.minusSeconds(5))).as("never negative").isZero();
    }
}
