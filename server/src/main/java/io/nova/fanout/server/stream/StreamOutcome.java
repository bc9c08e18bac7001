package io.nova.fanout.server.stream;

/** What became of a request to change a stream: failures are values, never exceptions. */
public sealed interface StreamOutcome {

    /**
     * The change was applied.
     *
     * @param firstSeq the {@code seq} of the first event it published, or 0 if it published none
     * @param lastSeq  the {@code seq} of the last event it published, or 0 if it published none
     * @param created  {@code true} when the request registered a new stream
     */
    record Applied(StreamState state, long firstSeq, long lastSeq, boolean created) implements StreamOutcome {
    }

    /** The change was refused and nothing was published. */
    record Refused(Reason reason, String message) implements StreamOutcome, Transition {
    }

    enum Reason {
        /** No such stream. */
        NOT_FOUND,
        /** The change makes no sense in the stream's current status, e.g. starting an ended stream. */
        CONFLICT,
        /** An event's encoded size exceeds the frame limit. */
        TOO_LARGE
    }
}
