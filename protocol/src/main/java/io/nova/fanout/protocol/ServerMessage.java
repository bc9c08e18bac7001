package io.nova.fanout.protocol;

/**
 * An event the server sends to a viewer. The record holds the event's {@code data}; the envelope's
 * {@code seq} is not part of it because it is assigned by the stream when the event is published, and
 * only to stream-scoped events (see {@link ProtocolCodec#encode(ServerMessage, long)}).
 */
public sealed interface ServerMessage
        permits ConnectionEstablished, StreamStarted, StreamEnded, ViewerCountChanged, QualityChanged,
                BitrateUpdate, ErrorEvent, Ping, StreamInfo, TokenRefreshed {

    /** The envelope's {@code "event"}, one of the server names in {@link EventNames}. */
    String eventName();
}
