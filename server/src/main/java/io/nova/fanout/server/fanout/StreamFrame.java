package io.nova.fanout.server.fanout;

import io.netty.buffer.ByteBuf;

/**
 * One sequenced stream event, encoded once as a complete WebSocket text frame.
 *
 * @param streamId    the stream it belongs to
 * @param seq         its position in the stream's event sequence
 * @param frame       header and payload, ready to be written as is; whoever holds the record owns one reference
 * @param endOfStream {@code true} for {@code stream_ended}: viewers close once it has reached them
 */
public record StreamFrame(String streamId, long seq, ByteBuf frame, boolean endOfStream) {
}
