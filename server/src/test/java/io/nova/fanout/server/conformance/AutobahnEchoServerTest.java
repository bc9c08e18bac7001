package io.nova.fanout.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.nova.fanout.server.ServerConfig;
import io.nova.fanout.server.handshake.HandshakeFixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The echo server's pipeline on an {@code EmbeddedChannel}: the viewer port's framing with an echo behind it. */
class AutobahnEchoServerTest {
    private static final int MAX_FRAME_BYTES = 1024;
    private static final int CONTINUATION = 0x0;
    private static final int TEXT = 0x1;
    private static final int BINARY = 0x2;
    private static final int CLOSE = 0x8;
    private static final int PING = 0x9;
    private static final int PONG = 0xA;

    private final EmbeddedChannel channel = new EmbeddedChannel();

    /** One frame the server wrote. */
    private record Frame(boolean fin, int opcode, byte[] payload) {
        String text() {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode() {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }

    @AfterEach
    void releaseEverything() {
        channel.finishAndReleaseAll();
    }

    @Test
    void anUpgradeAtTheRootIsAcceptedAndTheEchoTakesTheSessionsPlace() {
        upgrade();
        assertThat(channel.pipeline().get("http")).as("HTTP is gone after the upgrade").isNull();
        assertThat(channel.pipeline().get("request-timeout")).isNull();
        assertThat(channel.pipeline().names()).containsSubsequence("websocket", "frame-aggregator", "echo");
    }

    @Test
    void aFragmentedTextMessageIsEchoedWholeInOneFrame() {
        upgrade();
        send(false, TEXT, bytes("Hello, "));
        send(false, CONTINUATION, bytes("wor"));
        send(true, CONTINUATION, bytes("ld"));

        List<Frame> frames = written();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).fin()).isTrue();
        assertThat(frames.get(0).opcode()).isEqualTo(TEXT);
        assertThat(frames.get(0).text()).isEqualTo("Hello, world");
    }

    @Test
    void aBinaryMessageIsEchoedAsBinary() {
        upgrade();
        byte[] payload = {0, (byte) 0xFE, 0x23, (byte) 0xFA, (byte) 0xF0};
        send(true, BINARY, payload);

        List<Frame> frames = written();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).opcode()).isEqualTo(BINARY);
        assertThat(frames.get(0).payload()).isEqualTo(payload);
    }

    @Test
    void aPingIsAnsweredWithItsPayloadAndAPongGetsNoAnswer() {
        upgrade();
        send(true, PONG, bytes("unsolicited"));
        send(true, PING, bytes("are you there"));

        List<Frame> frames = written();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).opcode()).isEqualTo(PONG);
        assertThat(frames.get(0).text()).isEqualTo("are you there");
        assertThat(channel.isOpen()).isTrue();
    }

    @Test
    void aCloseIsAnsweredWithTheSameCodeAndTheConnectionEnds() {
        upgrade();
        send(true, CLOSE, new byte[] {0x03, (byte) 0xE8, 'b', 'y', 'e'}); // 1000 "bye"
        channel.runPendingTasks();

        List<Frame> frames = written();
        assertThat(frames).hasSize(1);
        assertThat(frames.get(0).opcode()).isEqualTo(CLOSE);
        assertThat(frames.get(0).closeCode()).isEqualTo(1000);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aFragmentedMessageOverTheLimitIsClosedWith1009() {
        upgrade();
        send(false, TEXT, bytes("a".repeat(MAX_FRAME_BYTES / 2 + 1)));
        send(true, CONTINUATION, bytes("b".repeat(MAX_FRAME_BYTES / 2)));
        channel.runPendingTasks();

        List<Frame> frames = written();
        assertThat(frames).extracting(Frame::opcode).containsExactly(CLOSE);
        assertThat(frames.get(0).closeCode()).isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aSingleFrameOverTheLimitIsClosedWith1009() {
        upgrade();
        send(true, TEXT, bytes("c".repeat(MAX_FRAME_BYTES + 1)));
        channel.runPendingTasks();

        List<Frame> frames = written();
        assertThat(frames).extracting(Frame::opcode).containsExactly(CLOSE);
        assertThat(frames.get(0).closeCode()).isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
    }

    // ---- helpers ----

    private void upgrade() {
        AutobahnEchoServer.initializer(ServerConfig.builder().maxFrameBytes(MAX_FRAME_BYTES).build())
                .addHandlers(channel.pipeline());
        channel.writeInbound(HandshakeFixtures.rawUpgrade("/"));
        channel.runPendingTasks();
        ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
        try {
            assertThat(HandshakeFixtures.parseResponse(wire).status()).isEqualTo(HttpResponseStatus.SWITCHING_PROTOCOLS);
            assertThat(wire.isReadable()).as("nothing after the 101").isFalse();
        } finally {
            wire.release();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** A client frame as it arrives on the wire: masked, here with an all-zero key for readability. */
    private void send(boolean fin, int opcode, byte[] payload) {
        ByteBuf frame = Unpooled.buffer(14 + payload.length);
        frame.writeByte((fin ? 0x80 : 0) | opcode);
        if (payload.length < 126) {
            frame.writeByte(0x80 | payload.length);
        } else if (payload.length <= 0xFFFF) {
            frame.writeByte(0x80 | 126).writeShort(payload.length);
        } else {
            frame.writeByte(0x80 | 127).writeLong(payload.length);
        }
        frame.writeInt(0).writeBytes(payload);
        channel.writeInbound(frame);
    }

    /** Every frame the server has written since the last call. */
    private List<Frame> written() {
        ByteBuf wire = HandshakeFixtures.outboundBytes(channel);
        try {
            List<Frame> frames = new ArrayList<>();
            while (wire.isReadable()) {
                int first = wire.readUnsignedByte();
                int second = wire.readUnsignedByte();
                assertThat(second & 0x80).as("server frames are not masked").isZero();
                long length = second & 0x7F;
                if (length == 126) {
                    length = wire.readUnsignedShort();
                } else if (length == 127) {
                    length = wire.readLong();
                }
                frames.add(new Frame((first & 0x80) != 0, first & 0x0F, ByteBufUtil.getBytes(wire.readSlice((int) length))));
            }
            return frames;
        } finally {
            wire.release();
        }
    }
}
