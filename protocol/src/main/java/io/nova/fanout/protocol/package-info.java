/**
 * The viewer wire contract of Nova Fanout as Java types.
 *
 * <p>Every frame is a JSON object {@code {"event": ..., "seq": ..., "data": {...}}}. What the server
 * sends is a {@link io.nova.fanout.protocol.ServerMessage}, what a viewer sends is a
 * {@link io.nova.fanout.protocol.ClientMessage}; {@link io.nova.fanout.protocol.ProtocolCodec}
 * turns both into bytes and back. Error codes, close codes and limits are named constants here so the
 * server, the load tester and any Java client agree on them without depending on Netty.
 */
package io.nova.fanout.protocol;
