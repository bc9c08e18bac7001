package io.nova.fanout.loadtest.publish;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.util.concurrent.Future;
import io.nova.fanout.loadtest.LoadTestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Registers the run's streams and makes them live, all streams at once: {@code PUT} the metadata, then
 * {@code POST start}. A stream that is already live answers the start with 409, which is fine: a rerun with
 * the same stream ids just keeps using them.
 */
public final class StreamRegistrar {
    /** The metadata of every load-test stream; its nominal bitrate frames the published measurements. */
    static final String METADATA =
            "{\"broadcaster_id\":\"loadtest\",\"title\":\"load test\",\"quality\":\"1080p\",\"fps\":60,\"bitrate_kbps\":5000}";

    private final BroadcasterClient client;
    private final Duration timeout;

    public StreamRegistrar(BroadcasterClient client, Duration timeout) {
        this.client = client;
        this.timeout = timeout;
    }

    /** @throws LoadTestException naming the first stream the server would not register or start, and why */
    public void registerAndStart(List<String> streamIds) {
        List<Future<HttpReply>> puts = new ArrayList<>();
        for (int s = 0; s < streamIds.size(); s++) {
            puts.add(client.send(s, HttpMethod.PUT, "/internal/v1/streams/" + streamIds.get(s), METADATA));
        }
        awaitAll(streamIds, puts, "register", false);
        List<Future<HttpReply>> starts = new ArrayList<>();
        for (int s = 0; s < streamIds.size(); s++) {
            starts.add(client.send(s, HttpMethod.POST, "/internal/v1/streams/" + streamIds.get(s) + "/start", (String) null));
        }
        awaitAll(streamIds, starts, "start", true);
    }

    private void awaitAll(List<String> streamIds, List<Future<HttpReply>> replies, String step, boolean alreadyLiveIsFine) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (int s = 0; s < replies.size(); s++) {
            Future<HttpReply> reply = replies.get(s);
            String what = step + " stream " + streamIds.get(s);
            if (!reply.awaitUninterruptibly(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                throw new LoadTestException(what + ": no answer within " + timeout.toMillis() + " ms");
            }
            if (!reply.isSuccess()) {
                throw new LoadTestException(what + ": " + reply.cause(), reply.cause());
            }
            HttpReply answer = reply.getNow();
            boolean alreadyLive = alreadyLiveIsFine && answer.status() == HttpResponseStatus.CONFLICT.code();
            if (!answer.success() && !alreadyLive) {
                throw new LoadTestException(what + ": HTTP " + answer.status() + " " + answer.body());
            }
        }
    }
}
