package io.nova.fanout.loadtest;

import io.nova.fanout.loadtest.auth.TokenSource;
import io.nova.fanout.loadtest.system.OpenFileLimit;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.OptionalLong;
import picocli.CommandLine;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;

/** The {@code nova-loadtest} command: {@code java -jar loadtest/target/nova-loadtest.jar --help}. */
public final class LoadTestMain {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private LoadTestMain() {}

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /**
     * Parses {@code args}, runs the test and returns the exit status: 0 after a run (or help), 1 when the run
     * could not go on, 2 for invalid options, each failure explained in one line on {@code err}.
     */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine commandLine = LoadTestOptions.newCommandLine();
        LoadTestSettings settings;
        TokenSource tokens;
        try {
            commandLine.parseArgs(args);
            if (commandLine.isUsageHelpRequested()) {
                commandLine.usage(out);
                return EXIT_OK;
            }
            if (commandLine.isVersionHelpRequested()) {
                commandLine.printVersionHelp(out);
                return EXIT_OK;
            }
            settings = commandLine.<LoadTestOptions>getCommand().toSettings();
            checkOpenFileLimit(settings.viewers(), OpenFileLimit.read());
            checkHostsResolve(settings);
            tokens = settings.tokenSource();
        } catch (ParameterException | IllegalArgumentException e) {
            err.println("nova-loadtest: " + e.getMessage());
            return EXIT_USAGE;
        }
        try {
            new LoadTest(settings, tokens, out).run();
            return EXIT_OK;
        } catch (LoadTestException e) {
            err.println("nova-loadtest: " + e.getMessage());
            return EXIT_FAILURE;
        } catch (RuntimeException e) {
            err.println("nova-loadtest: the run failed unexpectedly: " + e);
            e.printStackTrace(err);
            return EXIT_FAILURE;
        }
    }

    /** A host that does not resolve is a mistake in the options, told before anything starts. */
    static void checkHostsResolve(LoadTestSettings settings) {
        checkHostResolves("url", settings.url());
        checkHostResolves("internal-url", settings.internalUrl());
    }

    private static void checkHostResolves(String option, URI url) {
        try {
            InetAddress.getByName(url.getHost());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(option + ": unknown host " + url.getHost());
        }
    }

    /** Every viewer is a file descriptor: refuse a run the process cannot hold, rather than fail midway. */
    static void checkOpenFileLimit(int viewers, OptionalLong limit) {
        if (limit.isPresent() && viewers + OpenFileLimit.MARGIN > limit.getAsLong()) {
            long room = limit.getAsLong() - OpenFileLimit.MARGIN;
            throw new IllegalArgumentException("viewers: " + viewers + " (expected: <= " + room + ": the open-file limit is "
                    + limit.getAsLong() + ")");
        }
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = LoadTestMain.class.getPackage().getImplementationVersion();
            return new String[] {"nova-loadtest " + (version == null ? "(development build)" : version)};
        }
    }
}
