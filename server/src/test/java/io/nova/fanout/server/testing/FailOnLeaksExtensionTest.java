package io.nova.fanout.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailOnLeaksExtensionTest {

    @Test
    void aBufferDroppedWithoutReleaseIsReported() throws InterruptedException {
        leakOneBuffer();
        List<String> reports = new ArrayList<>();
        for (int attempt = 0; attempt < 10 && reports.isEmpty(); attempt++) {
            reports.addAll(FailOnLeaksExtension.collectReports());
        }
        assertThat(reports).isNotEmpty().allSatisfy(report -> assertThat(report).contains("LEAK:"));
    }

    @Test
    void cleanCodeLeavesNoReport() throws InterruptedException {
        ByteBufAllocator.DEFAULT.buffer(16).release();
        assertThat(FailOnLeaksExtension.collectReports()).isEmpty();
    }

    private static void leakOneBuffer() {
        ByteBufAllocator.DEFAULT.buffer(32).writeInt(42);
    }
}
