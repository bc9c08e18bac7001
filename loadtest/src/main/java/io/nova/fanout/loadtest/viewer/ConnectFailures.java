package io.nova.fanout.loadtest.viewer;

import io.netty.channel.ConnectTimeoutException;
import java.net.BindException;
import java.net.ConnectException;

/** Classifies why a connect failed, in words short and few enough to count by. */
final class ConnectFailures {
    private static final int MAX_REASON_CHARS = 80;

    private ConnectFailures() {}

    /**
     * Whether the local address ran out of ephemeral ports for this destination. Linux says
     * "Cannot assign requested address" (EADDRNOTAVAIL) when connecting, or "Address already in use"
     * (EADDRINUSE) when binding to port 0, depending on whether the port is picked at bind or connect.
     */
    static boolean isSourceAddressExhausted(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = String.valueOf(t.getMessage());
            if (t instanceof BindException
                    || message.contains("Cannot assign requested address")
                    || message.contains("Address already in use")) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    static String describe(Throwable cause) {
        if (cause instanceof ConnectTimeoutException) {
            return "connect timed out";
        }
        String message = cause.getMessage();
        if (cause instanceof ConnectException && message != null && message.contains("Connection refused")) {
            return "connection refused";
        }
        String reason = cause.getClass().getSimpleName() + (message == null ? "" : ": " + message);
        return reason.length() <= MAX_REASON_CHARS ? reason : reason.substring(0, MAX_REASON_CHARS);
    }
}
