package io.nova.fanout.protocol;

/** A message a viewer sends to the server. */
public sealed interface ClientMessage permits Pong, GetStreamInfo, ReportIssue, RefreshToken {

    /** The envelope's {@code "event"}, one of the client names in {@link EventNames}. */
    String eventName();
}
