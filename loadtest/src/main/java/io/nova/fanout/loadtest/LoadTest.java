package io.nova.fanout.loadtest;

import io.netty.channel.EventLoopGroup;
import io.nova.fanout.loadtest.auth.TokenSource;
import io.nova.fanout.loadtest.latency.LatencyBook;
import io.nova.fanout.loadtest.plan.ActiveTimeline;
import io.nova.fanout.loadtest.plan.PhaseTimeline;
import io.nova.fanout.loadtest.plan.PublishPlan;
import io.nova.fanout.loadtest.plan.RatePhase;
import io.nova.fanout.loadtest.publish.BroadcasterClient;
import io.nova.fanout.loadtest.publish.PublishStats;
import io.nova.fanout.loadtest.publish.Publisher;
import io.nova.fanout.loadtest.publish.StreamRegistrar;
import io.nova.fanout.loadtest.report.Format;
import io.nova.fanout.loadtest.report.HtmlReport;
import io.nova.fanout.loadtest.report.MetricsScraper;
import io.nova.fanout.loadtest.report.ReportJson;
import io.nova.fanout.loadtest.report.RunReport;
import io.nova.fanout.loadtest.report.SummaryTable;
import io.nova.fanout.loadtest.system.OpenFileLimit;
import io.nova.fanout.loadtest.system.Transport;
import io.nova.fanout.loadtest.time.WallClock;
import io.nova.fanout.loadtest.viewer.FleetSettings;
import io.nova.fanout.loadtest.viewer.SourceAddresses;
import io.nova.fanout.loadtest.viewer.ViewerEndpoint;
import io.nova.fanout.loadtest.viewer.ViewerFleet;
import io.nova.fanout.loadtest.viewer.ViewerStats;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.server.Durations;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.HdrHistogram.Histogram;

/**
 * One run, start to end: register the streams, connect the viewers at the connect rate, publish on schedule
 * (or hold the viewers idle), let deliveries drain, then print the summary, write the reports and close
 * every connection. Every wait in it is bounded, so a run ends even against a server that stops answering.
 */
public final class LoadTest {
    /** Publishing starts this long after its plan is pinned to the clock, so the first events are not late. */
    private static final long START_LEAD_MILLIS = 200;
    /** Broadcaster API connections: a few keep one stream's pipelined requests from queueing behind another's. */
    private static final int PUBLISHER_CONNECTIONS = 4;
    /** Deliveries have drained once none arrived for this long... */
    private static final long DRAIN_QUIET_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** ...or after this long at most. */
    private static final long DRAIN_MAX_NANOS = TimeUnit.SECONDS.toNanos(10);
    /** How long after a step ends its p99 is judged, so late deliveries count: at most this... */
    private static final long STEP_SETTLE_MAX_MILLIS = 1_000;

    private final LoadTestSettings settings;
    private final TokenSource tokens;
    private final PrintStream out;

    public LoadTest(LoadTestSettings settings, TokenSource tokens, PrintStream out) {
        this.settings = settings;
        this.tokens = tokens;
        this.out = out;
    }

    /**
     * Runs the test and writes the reports it was asked for.
     *
     * @throws LoadTestException if the run cannot go on, e.g. the server refuses to register the streams
     */
    public RunReport run() {
        long startedAtMillis = System.currentTimeMillis();
        WallClock clock = WallClock.calibrate();
        Transport transport = Transport.best();
        PublishPlan plan = settings.plan();
        LatencyBook latency = new LatencyBook(plan.phases().size());
        ViewerStats viewerStats = new ViewerStats();
        PublishStats publishStats = new PublishStats(settings.streams());
        ActiveTimeline activeTimeline = new ActiveTimeline();
        Progress progress = new Progress(out, latency, viewerStats, publishStats, settings.viewers());
        MetricsScraper scraper = settings.metricsUrl() == null ? null : new MetricsScraper(settings.metricsUrl());
        ViewerEndpoint endpoint = new ViewerEndpoint(settings.url());

        EventLoopGroup publisherLoop = transport.newGroup(1, "nova-lt-publisher");
        BroadcasterClient broadcaster = tokens.broadcasterToken()
                .map(token -> new BroadcasterClient(publisherLoop.next(), transport, settings.internalUrl(), token,
                        PUBLISHER_CONNECTIONS, settings.connectTimeout()))
                .orElse(null);
        try (ViewerFleet fleet = new ViewerFleet(fleetSettings(endpoint), settings.churnRate(), transport, clock,
                viewerStats, latency, activeTimeline, tokens, new ProtocolCodec())) {
            printHeader(transport, plan);
            Map<String, Double> metricsBefore = scrape(scraper, "before");
            if (settings.register()) {
                out.printf(Locale.ROOT, "registering and starting %d stream(s) %s-0..%s-%d%n", settings.streams(),
                        settings.streamPrefix(), settings.streamPrefix(), settings.streams() - 1);
                new StreamRegistrar(broadcaster, settings.connectTimeout()).registerAndStart(settings.streamIds());
            }

            progress.start();
            fleet.connectAll();
            long connectBound = System.nanoTime() + (long) (settings.viewers() / settings.connectRate() * 1e9)
                    + settings.connectTimeout().toNanos() + TimeUnit.SECONDS.toNanos(2);
            progress.runUntil(() -> "connecting", fleet::initialConnectsSettled, connectBound);
            Duration initialConnects = fleet.initialConnectDuration();
            long initiallyConnected = viewerStats.establishedTotal();

            fleet.startChurn();
            PublishingResult publishing = settings.idle()
                    ? hold(progress)
                    : publish(progress, plan, clock, broadcaster, latency, publishStats, activeTimeline);
            fleet.stopChurn();

            Map<String, Double> metricsAfter = scrape(scraper, "after");
            latency.harvest();
            RunReport report = new ReportAssembler(settings, latency, viewerStats, publishStats).assemble(
                    startedAtMillis, transport.name(), initialConnects, initiallyConnected,
                    fleet.exhaustedSourceAddresses(), publishing, fleet.audiences(), progress.timeline(),
                    scraper == null ? null : new RunReport.ServerMetrics(metricsBefore, metricsAfter));
            SummaryTable.print(report, out);
            writeReports(report);
            out.println("closing " + viewerStats.connectedNow() + " connections");
            return report;
        } finally {
            if (broadcaster != null) {
                broadcaster.close();
            }
            publisherLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    private FleetSettings fleetSettings(ViewerEndpoint endpoint) {
        SourceAddresses sources = !settings.sourceAddresses().isEmpty() ? SourceAddresses.of(settings.sourceAddresses())
                : endpoint.loopback() ? SourceAddresses.loopbackRange()
                : SourceAddresses.systemChosen();
        return new FleetSettings(endpoint, settings.streamIds(), settings.viewers(), settings.slowFraction(),
                settings.slowReceiveBuffer(), settings.silentFraction(), settings.connectRate(), settings.connectTimeout(), settings.ioThreads(), sources);
    }

    private PublishingResult hold(Progress progress) {
        progress.runUntil(() -> "idle", () -> false, System.nanoTime() + settings.duration().toNanos());
        return PublishingResult.none();
    }

    private PublishingResult publish(Progress progress, PublishPlan plan, WallClock clock, BroadcasterClient broadcaster,
                                     LatencyBook latency, PublishStats publishStats, ActiveTimeline activeTimeline) {
        PhaseTimeline timeline = plan.startingAt(clock.epochMillis() + START_LEAD_MILLIS);
        activeTimeline.set(timeline);
        Publisher publisher = new Publisher(broadcaster, clock, timeline, settings.streamIds(), publishStats);
        publisher.start();
        Supplier<String> phaseName = () -> phaseName(timeline, clock.epochMillis());

        long stoppedAt = PublishingResult.NOT_STOPPED;
        if (settings.stopAboveP99() != null) {
            stoppedAt = stepUntilP99Exceeded(progress, timeline, clock, latency, publisher, phaseName);
        }
        long publishBound = clock.nanoTimeAt(Math.min(timeline.endMillis(), stoppedAt)) + settings.connectTimeout().toNanos();
        if (!progress.runUntil(phaseName, publisher.finished()::isDone, publishBound)) {
            out.println("the broadcaster API has not answered every publish; not waiting any longer");
        }
        progress.runUntil(() -> "draining", new Quiescence(latency, DRAIN_QUIET_NANOS), System.nanoTime() + DRAIN_MAX_NANOS);
        return new PublishingResult(timeline, stoppedAt);
    }

    /**
     * Judges each step a moment after it ends, while the next one runs, and stops publishing once one has a
     * p99 above the bound (or delivered nothing at all).
     *
     * @return when publishing was stopped, or {@link PublishingResult#NOT_STOPPED}
     */
    private long stepUntilP99Exceeded(Progress progress, PhaseTimeline timeline, WallClock clock, LatencyBook latency,
                                      Publisher publisher, Supplier<String> phaseName) {
        List<RatePhase> phases = timeline.plan().phases();
        long boundMicros = settings.stopAboveP99().toNanos() / 1_000;
        long settleMillis = Math.min(STEP_SETTLE_MAX_MILLIS, settings.stepDuration().toMillis() / 2);
        // The last step is not judged: there is nothing after it to stop.
        for (int phase = 1; phase < phases.size() - 1; phase++) {
            progress.runUntil(phaseName, () -> false, clock.nanoTimeAt(timeline.endMillis(phase) + settleMillis));
            latency.harvest();
            Histogram step = latency.phase(phase);
            if (step.getTotalCount() == 0 || step.getValueAtPercentile(99) > boundMicros) {
                long stopAt = clock.epochMillis();
                publisher.stopAt(stopAt);
                out.printf(Locale.ROOT, "step %d (%s/s): p99 %s ms is above %s: no further steps%n", phase,
                        Format.decimal(phases.get(phase).ratePerSecond(), 1),
                        step.getTotalCount() == 0 ? "(nothing delivered)" : Format.ms(step.getValueAtPercentile(99) / 1_000.0),
                        Durations.format(settings.stopAboveP99()));
                return stopAt;
            }
        }
        return PublishingResult.NOT_STOPPED;
    }

    private static String phaseName(PhaseTimeline timeline, long nowMillis) {
        int phase = timeline.phaseAt(nowMillis);
        if (phase == PhaseTimeline.OUTSIDE) {
            return nowMillis < timeline.startMillis() ? "starting" : "finishing";
        }
        if (phase == PublishPlan.WARMUP) {
            return "warmup";
        }
        if (!timeline.plan().stepped()) {
            return "publishing";
        }
        return "step " + phase + " @ " + Format.decimal(timeline.plan().phases().get(phase).ratePerSecond(), 0) + "/s";
    }

    private Map<String, Double> scrape(MetricsScraper scraper, String when) {
        if (scraper == null) {
            return null;
        }
        StringBuilder problem = new StringBuilder();
        Optional<Map<String, Double>> samples = scraper.scrape(problem);
        if (samples.isEmpty()) {
            out.println("could not read " + settings.metricsUrl() + " " + when + " the run: " + problem);
        }
        return samples.orElse(null);
    }

    private void printHeader(Transport transport, PublishPlan plan) {
        OptionalLong limit = OpenFileLimit.read();
        out.printf(Locale.ROOT, "nova-loadtest: %d viewers on %d stream(s) of %s, broadcaster API %s%n", settings.viewers(),
                settings.streams(), settings.url(), settings.internalUrl());
        out.printf(Locale.ROOT, "open-file limit: %s; transport %s, %d cores%n",
                limit.isPresent()
                        ? limit.getAsLong() + " (room for " + (limit.getAsLong() - OpenFileLimit.MARGIN) + " viewers)"
                        : "unknown",
                transport.name(), Runtime.getRuntime().availableProcessors());
        String publishing;
        if (settings.idle()) {
            publishing = "hold idle for " + Durations.format(settings.duration());
        } else if (plan.stepped()) {
            publishing = "warmup " + Durations.format(settings.warmup()) + ", then steps of "
                    + settings.rateSteps().stream().map(rate -> Format.decimal(rate, 1)).collect(Collectors.joining(", "))
                    + " events/s per stream for " + Durations.format(settings.stepDuration()) + " each"
                    + (settings.stopAboveP99() == null ? ""
                            : ", stopping after a step with p99 above " + Durations.format(settings.stopAboveP99()));
        } else {
            publishing = "warmup " + Durations.format(settings.warmup()) + ", then " + Durations.format(settings.duration())
                    + " at " + Format.decimal(settings.publishRate(), 1) + " events/s per stream";
        }
        out.printf(Locale.ROOT, "plan: connect at %s/s, %s%s%n", Format.decimal(settings.connectRate(), 0), publishing,
                settings.churnRate() > 0 ? ", churning " + Format.decimal(settings.churnRate(), 1) + " viewers/s" : "");
    }

    private void writeReports(RunReport report) {
        try {
            if (settings.report() != null) {
                new ReportJson().write(report, settings.report());
                out.println("report: " + settings.report());
            }
            if (settings.html() != null) {
                new HtmlReport().write(report, settings.html());
                out.println("html: " + settings.html());
            }
        } catch (IOException e) {
            throw new LoadTestException("cannot write the report: " + e.getMessage(), e);
        }
    }
}
