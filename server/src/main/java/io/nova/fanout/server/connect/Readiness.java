package io.nova.fanout.server.connect;

/** Whether the server wants new work, as {@code GET /ready} reports it. */
public enum Readiness {
    /** The listeners are not all bound yet. */
    STARTING("starting"),
    READY("ready"),
    /** A shutdown began: the server is letting its viewers go. */
    DRAINING("draining");

    private final String status;

    Readiness(String status) {
        this.status = status;
    }

    /** The {@code status} of the {@code /ready} answer. */
    public String status() {
        return status;
    }
}
