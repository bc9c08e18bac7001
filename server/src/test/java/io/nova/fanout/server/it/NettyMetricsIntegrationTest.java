package io.nova.fanout.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** /metrics carries Micrometer's Netty binders: allocator memory and each event loop's pending tasks. */
class NettyMetricsIntegrationTest {
    private ServerFixture fixture;

    @AfterEach
    void stopServer() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void allocatorMemoryAndEventLoopBacklogsAreScraped() {
        fixture = ServerFixture.start(b -> b.ioThreads(3));
        String text = RawHttp.get(fixture.internalPort(), "/metrics").bodyText();

        assertThat(text).containsPattern("netty_allocator_memory_used\\{[^}]*memory_type=\"direct\"[^}]*\\} [0-9.E]+")
                .containsPattern("netty_allocator_memory_used\\{[^}]*memory_type=\"heap\"[^}]*\\} [0-9.E]+")
                .containsPattern("(?m)^netty_eventexecutor_workers(\\{[^}]*\\})? 3\\.0$");
        assertThat(text.lines().filter(l -> l.startsWith("netty_eventexecutor_tasks_pending{")))
                .as("one series per event loop: no tag per viewer or stream").hasSize(3);
    }
}
