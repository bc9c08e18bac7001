package io.nova.fanout.loadtest.viewer;

import java.time.Duration;
import java.util.List;

/**
 * What a {@link ViewerFleet} is told to do.
 *
 * @param streamIds the streams viewers are spread over, round-robin: viewer {@code n} watches stream {@code n % S}
 * @param connectRate initial connects started per second
 * @param connectTimeout from the start of the TCP connect to {@code connection_established}
 * @param slowReceiveBuffer SO_RCVBUF of the slow viewers' sockets in bytes; 0 for the system's default
 * @param ioThreads event loops; 0 means Netty's default, twice the number of cores
 */
public record FleetSettings(ViewerEndpoint endpoint, List<String> streamIds, int viewers, double slowFraction,
                            int slowReceiveBuffer, double silentFraction, double connectRate, Duration connectTimeout, int ioThreads,
                            SourceAddresses sources) {

    public FleetSettings {
        streamIds = List.copyOf(streamIds);
    }
}
