package io.nova.fanout.loadtest.publish;

/**
 * An answer of the broadcaster API.
 *
 * @param body the body for an error status; empty for a success, whose body nobody reads
 */
public record HttpReply(int status, String body) {

    public boolean success() {
        return status >= 200 && status < 300;
    }
}
