package io.nova.fanout.loadtest.publish;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.nova.fanout.loadtest.time.IsoMillis;

/**
 * The body of one published event: a {@code bitrate_update} whose {@code timestamp} is its scheduled send
 * time. The server copies a broadcaster's measurement time into the event viewers get, which is what lets a
 * viewer time the delivery from the schedule.
 */
final class BitrateEvents {
    private static final String HEAD = "{\"event\":\"bitrate_update\",\"data\":{\"current_bitrate_kbps\":";
    private static final String TIMESTAMP = ",\"timestamp\":\"";
    private static final String TAIL = "\"}}";
    private static final int BODY_BYTES = HEAD.length() + 7 + TIMESTAMP.length() + IsoMillis.LENGTH + TAIL.length();

    private BitrateEvents() {}

    static ByteBuf body(ByteBufAllocator allocator, int bitrateKbps, long scheduledEpochMillis) {
        ByteBuf body = allocator.buffer(BODY_BYTES);
        ByteBufUtil.writeAscii(body, HEAD);
        ByteBufUtil.writeAscii(body, Integer.toString(bitrateKbps));
        ByteBufUtil.writeAscii(body, TIMESTAMP);
        ByteBufUtil.writeAscii(body, IsoMillis.format(scheduledEpochMillis));
        ByteBufUtil.writeAscii(body, TAIL);
        return body;
    }
}
