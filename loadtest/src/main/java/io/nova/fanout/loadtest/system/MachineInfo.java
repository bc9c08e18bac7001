package io.nova.fanout.loadtest.system;

/**
 * The machine a run happened on, for the report: results only compare between like machines.
 *
 * @param maxOpenFiles the open-file limit, or {@code null} if unknown
 */
public record MachineInfo(int cores, String os, String java, Long maxOpenFiles) {

    public static MachineInfo current() {
        var limit = OpenFileLimit.read();
        return new MachineInfo(Runtime.getRuntime().availableProcessors(),
                System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"),
                System.getProperty("java.version"),
                limit.isPresent() ? limit.getAsLong() : null);
    }
}
