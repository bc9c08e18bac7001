package io.nova.fanout.server.session;

import static io.nova.fanout.server.session.SessionFixtures.NOW;
import static io.nova.fanout.server.session.SessionFixtures.drainMessages;
import static io.nova.fanout.server.session.SessionFixtures.drainOutbound;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.nova.fanout.protocol.ErrorCode;
import io.nova.fanout.protocol.ErrorEvent;
import io.nova.fanout.protocol.Ping;
import io.nova.fanout.protocol.Severity;
import io.nova.fanout.protocol.ViewerCountChanged;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.SessionFixtures.Message;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ViewerWriteHandlerTest {
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    /** A user-defined writability bit, so tests can switch writability without real watermarks. */
    private static final int TEST_BIT = 1;

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final NovaMetrics metrics = SessionFixtures.metrics(meters);
    private final FramePreEncoder encoder = SessionFixtures.encoder();

    private EmbeddedChannel channel;

    private EmbeddedChannel open(ChannelHandler... handlers) {
        channel = new EmbeddedChannel(handlers);
        return channel;
    }

    /** Releases what a failed assertion left behind, so one failure does not also read as a leak. */
    @AfterEach
    void releaseEverything() {
        if (channel != null) {
            channel.finishAndReleaseAll();
        }
    }

    private ViewerWriteHandler writer(int bufferSize) {
        return new ViewerWriteHandler(bufferSize, encoder, CLOCK, metrics);
    }

    @Test
    void writesStraightThroughWhileWritableButOnlyFlushesOnFlush() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);

        writer.write(frame(1));
        writer.write(frame(2));

        assertThat(channel.outboundMessages()).as("written, not flushed").isEmpty();
        assertThat(writer.backlog()).isZero();
        assertThat(writer.isDrained()).isTrue();

        writer.flush();

        assertThat(seqs(drainMessages(channel))).containsExactly(1L, 2L);
        assertThat(sentCount()).isEqualTo(2);
        assertThat(droppedCount()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void flushWithNothingWrittenCountsNothing() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);

        writer.flush();

        assertThat(sentCount()).isZero();
        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void keepsFramesInTheOutboxWhileUnwritableAndSendsThemInOrderWhenWritable() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);

        writer.write(frame(1));
        writer.write(frame(2));
        writer.flush();

        assertThat(channel.outboundMessages()).isEmpty();
        assertThat(writer.backlog()).isEqualTo(2);
        assertThat(writer.isDrained()).isFalse();
        assertThat(laggingViewers()).as("one viewer, however many frames wait").isEqualTo(1);

        setWritable(channel, true);

        List<Message> received = drainMessages(channel);
        assertThat(received).as("no drop notice when nothing was dropped")
                .allSatisfy(m -> assertThat(m.message()).isInstanceOf(ViewerCountChanged.class));
        assertThat(seqs(received)).containsExactly(1L, 2L);
        assertThat(writer.backlog()).isZero();
        assertThat(writer.isDrained()).isTrue();
        assertThat(sentCount()).isEqualTo(2);
        assertThat(laggingViewers()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void fullOutboxDropsTheOldestFramesAndCountsEachDrop() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        List<ByteBuf> frames = new ArrayList<>();
        for (long seq = 1; seq <= 5; seq++) {
            ByteBuf frame = frame(seq);
            frames.add(frame);
            writer.write(frame);
        }

        assertThat(writer.backlog()).isEqualTo(3);
        assertThat(droppedCount()).isEqualTo(2);
        assertThat(frames.get(0).refCnt()).as("dropped frame 1 released").isZero();
        assertThat(frames.get(1).refCnt()).as("dropped frame 2 released").isZero();
        assertThat(frames.subList(2, 5)).allSatisfy(f -> assertThat(f.refCnt()).isEqualTo(1));
        assertThat(channel.finishAndReleaseAll()).isFalse();
        assertThat(frames).allSatisfy(f -> assertThat(f.refCnt()).isZero());
    }

    @Test
    void dropNoticeWithExactCountPrecedesTheNewestRetainedFramesInOrder() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        for (long seq = 1; seq <= 7; seq++) {
            writer.write(frame(seq));
        }

        setWritable(channel, true);

        List<Message> received = drainMessages(channel);
        assertThat(received).hasSize(4);
        ErrorEvent notice = received.get(0).as(ErrorEvent.class);
        assertThat(received.get(0).seq()).as("the notice is connection-level").isEmpty();
        assertThat(notice.errorCode()).isEqualTo(ErrorCode.MESSAGES_DROPPED);
        assertThat(notice.droppedCount()).isEqualTo(4L);
        assertThat(notice.severity()).isEqualTo(Severity.WARNING);
        assertThat(notice.recoverable()).isTrue();
        assertThat(notice.timestamp()).isEqualTo(NOW);
        assertThat(seqs(received.subList(1, 4))).containsExactly(5L, 6L, 7L);
        assertThat(droppedCount()).isEqualTo(4);
        assertThat(sentCount()).as("the notice is not a stream event").isEqualTo(3);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void dropCountStartsAgainAfterTheNotice() {
        ViewerWriteHandler writer = writer(2);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        for (long seq = 1; seq <= 3; seq++) {
            writer.write(frame(seq));
        }
        setWritable(channel, true);
        assertThat(drainMessages(channel)).hasSize(3); // notice(1), 2, 3

        setWritable(channel, false);
        writer.write(frame(4));
        setWritable(channel, true);

        List<Message> second = drainMessages(channel);
        assertThat(second).hasSize(1);
        assertThat(second.get(0).message()).isInstanceOf(ViewerCountChanged.class);
        assertThat(second.get(0).seq()).hasValue(4L);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void framesWrittenAfterTheDrainGoStraightThroughAgain() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        writer.write(frame(1));
        setWritable(channel, true);
        assertThat(seqs(drainMessages(channel))).containsExactly(1L);

        writer.write(frame(2));
        writer.flush();

        assertThat(seqs(drainMessages(channel))).containsExactly(2L);
        assertThat(writer.backlog()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void stopsReadingWhileUnwritableAndResumesWhenWritable() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        assertThat(channel.config().isAutoRead()).isTrue();

        setWritable(channel, false);
        assertThat(channel.config().isAutoRead()).isFalse();

        setWritable(channel, true);
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void writeNowFlushesAtOnceAheadOfTheOutbox() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        writer.write(frame(1));

        writer.writeNow(encoder.encode(new Ping(7, NOW)));

        List<Message> first = drainMessages(channel);
        assertThat(first).hasSize(1);
        assertThat(first.get(0).as(Ping.class).sequence()).isEqualTo(7);

        setWritable(channel, true);
        assertThat(seqs(drainMessages(channel))).containsExactly(1L);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void whenDrainedRunsAtOnceWhenTheOutboxIsEmpty() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        AtomicInteger runs = new AtomicInteger();

        writer.whenDrained(runs::incrementAndGet);

        assertThat(runs).hasValue(1);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void whenDrainedRunsOnceAfterTheBacklogHasBeenFlushed() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        writer.write(frame(1));
        writer.write(frame(2));
        List<Integer> flushedWhenRun = new ArrayList<>();

        writer.whenDrained(() -> flushedWhenRun.add(channel.outboundMessages().size()));
        assertThat(flushedWhenRun).as("not while frames wait").isEmpty();

        setWritable(channel, true);
        assertThat(flushedWhenRun).as("ran once, after both frames were flushed").containsExactly(2);

        setWritable(channel, false);
        setWritable(channel, true);
        assertThat(flushedWhenRun).as("not again on a later drain").hasSize(1);
        assertThat(seqs(drainMessages(channel))).containsExactly(1L, 2L);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void closingReleasesTheBacklogAndForgetsTheDrainAction() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        List<ByteBuf> frames = List.of(frame(1), frame(2));
        frames.forEach(writer::write);
        AtomicInteger runs = new AtomicInteger();
        writer.whenDrained(runs::incrementAndGet);

        assertThat(laggingViewers()).isEqualTo(1);
        channel.close().syncUninterruptibly();

        assertThat(frames).allSatisfy(f -> assertThat(f.refCnt()).isZero());
        assertThat(writer.backlog()).isZero();
        assertThat(laggingViewers()).as("a closed viewer no longer lags").isZero();
        assertThat(runs).hasValue(0);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void nothingWrittenAfterDiscardReachesTheChannel() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        ByteBuf late = frame(1);
        ByteBuf lateNow = frame(2);

        writer.discard();
        writer.write(late);
        writer.writeNow(lateNow);
        writer.flush();

        assertThat(channel.outboundMessages()).as("a close frame must be the last frame").isEmpty();
        assertThat(late.refCnt()).isZero();
        assertThat(lateNow.refCnt()).isZero();
        assertThat(sentCount()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void discardingTheBacklogEndsTheLag() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        writer.write(frame(1));
        assertThat(laggingViewers()).isEqualTo(1);

        writer.discard();

        assertThat(laggingViewers()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void removingTheHandlerReleasesTheBacklog() {
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer);
        setWritable(channel, false);
        ByteBuf frame = frame(1);
        writer.write(frame);

        channel.pipeline().remove(writer);

        assertThat(frame.refCnt()).isZero();
        assertThat(laggingViewers()).isZero();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void unflushedFramesAreFlushedBeforeTheViewerIsJudgedSlow() {
        ViewerWriteHandler writer = writer(10);
        EmbeddedChannel channel = open(writer);
        ByteBuf probe = frame(0);
        int frameBytes = probe.readableBytes();
        probe.release();
        // One unflushed frame is enough to cross the high mark; the low mark is reached only when all is written.
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, frameBytes / 2));

        writer.write(frame(1));
        assertThat(channel.isWritable()).isFalse();
        assertThat(channel.config().isAutoRead()).isFalse();
        // The channel is above the mark only because of our own unflushed frame: flushing it lets the next through.
        writer.write(frame(2));
        writer.write(frame(3));
        assertThat(writer.backlog()).isZero();

        writer.flush();

        assertThat(seqs(drainMessages(channel))).containsExactly(1L, 2L, 3L);
        assertThat(writer.backlog()).isZero();
        assertThat(channel.isWritable()).isTrue();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(sentCount()).isEqualTo(3);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void staysNonReadingWhenTheDrainFillsTheChannelAgain() {
        // A socket that accepts nothing: flushes never reach the transport, so written bytes stay pending.
        ChannelOutboundHandlerAdapter stalledSocket = new ChannelOutboundHandlerAdapter() {
            @Override
            public void flush(ChannelHandlerContext ctx) {
            }
        };
        ViewerWriteHandler writer = writer(10);
        EmbeddedChannel channel = open(stalledSocket, writer);
        ByteBuf probe = frame(0);
        int frameBytes = probe.readableBytes();
        probe.release();
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(1, frameBytes * 2));
        setWritable(channel, false);
        for (long seq = 1; seq <= 6; seq++) {
            writer.write(frame(seq));
        }

        channel.unsafe().outboundBuffer().setUserDefinedWritability(TEST_BIT, true);
        channel.runPendingTasks();

        assertThat(channel.isWritable()).as("the drain refilled the channel past its high mark").isFalse();
        assertThat(writer.backlog()).as("the drain stopped when the channel filled").isPositive();
        assertThat(channel.config().isAutoRead())
                .as("a viewer whose channel is not writable must not be read from")
                .isFalse();

        // The socket drains: everything goes out in order and reading resumes.
        channel.pipeline().remove(stalledSocket);
        channel.flush();
        assertThat(seqs(drainMessages(channel))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
        assertThat(channel.isWritable()).isTrue();
        assertThat(channel.config().isAutoRead()).isTrue();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void passesWritabilityChangesOn() {
        AtomicInteger seen = new AtomicInteger();
        ViewerWriteHandler writer = writer(3);
        EmbeddedChannel channel = open(writer, new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                seen.incrementAndGet();
            }
        });

        setWritable(channel, false);
        setWritable(channel, true);

        assertThat(seen).hasValue(2);
        assertThat(drainOutbound(channel)).isEmpty();
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private ByteBuf frame(long seq) {
        return encoder.encode(new ViewerCountChanged("s1", (int) seq, (int) seq, 1, NOW), seq);
    }

    /**
     * Flips a user-defined writability bit; Netty fires channelWritabilityChanged for it as a task when the
     * channel's writability changes, so run the tasks.
     */
    private static void setWritable(EmbeddedChannel channel, boolean writable) {
        channel.unsafe().outboundBuffer().setUserDefinedWritability(TEST_BIT, writable);
        channel.runPendingTasks();
        assertThat(channel.isWritable()).isEqualTo(writable);
    }

    private static List<Long> seqs(List<Message> messages) {
        List<Long> seqs = new ArrayList<>();
        for (Message m : messages) {
            assertThat(m.seq()).as("stream events carry a seq").isPresent();
            seqs.add(m.seq().getAsLong());
        }
        return seqs;
    }

    private double sentCount() {
        return meters.get("nova.messages.sent").counter().count();
    }

    private double laggingViewers() {
        return meters.get("nova.viewers.lagging").gauge().value();
    }

    private double droppedCount() {
        return meters.get("nova.messages.dropped").counter().count();
    }
}
