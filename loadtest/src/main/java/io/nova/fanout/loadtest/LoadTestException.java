package io.nova.fanout.loadtest;

/** A run could not go on, for a reason one line explains (the server is down, a token is refused, ...). */
public final class LoadTestException extends RuntimeException {

    public LoadTestException(String message) {
        super(message);
    }

    public LoadTestException(String message, Throwable cause) {
        super(message, cause);
    }
}
