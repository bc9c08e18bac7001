package io.nova.fanout.loadtest.system;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;

/**
 * The process's soft limit on open files, which caps how many connections one load generator can hold:
 * every viewer connection is a file descriptor.
 */
public final class OpenFileLimit {
    /** Descriptors the process needs besides its viewers: event loops, the publisher, jars, stdio. */
    public static final int MARGIN = 64;

    private static final Path PROC_LIMITS = Path.of("/proc/self/limits");
    private static final String LINE_PREFIX = "Max open files";

    private OpenFileLimit() {}

    /** The soft limit from {@code /proc/self/limits}; empty where there is no such file or it says "unlimited". */
    public static OptionalLong read() {
        try {
            return parse(Files.readAllLines(PROC_LIMITS));
        } catch (IOException | SecurityException e) {
            return OptionalLong.empty();
        }
    }

    /** The soft limit in the lines of a {@code /proc/<pid>/limits} file. */
    static OptionalLong parse(List<String> limitsLines) {
        for (String line : limitsLines) {
            if (line.startsWith(LINE_PREFIX)) {
                String[] columns = line.substring(LINE_PREFIX.length()).trim().split("\\s+");
                try {
                    return OptionalLong.of(Long.parseLong(columns[0]));
                } catch (NumberFormatException e) {
                    return OptionalLong.empty(); // "unlimited"
                }
            }
        }
        return OptionalLong.empty();
    }
}
