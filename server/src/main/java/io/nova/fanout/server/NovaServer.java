package io.nova.fanout.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyAllocatorMetrics;
import io.micrometer.core.instrument.binder.netty4.NettyEventExecutorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufAllocatorMetricProvider;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.ScheduledFuture;
import io.nova.fanout.protocol.ProtocolCodec;
import io.nova.fanout.protocol.StreamStatus;
import io.nova.fanout.server.auth.JwksKeys;
import io.nova.fanout.server.auth.TokenVerifier;
import io.nova.fanout.server.broadcast.BroadcasterApiContext;
import io.nova.fanout.server.broadcast.BroadcasterApiHandler;
import io.nova.fanout.server.connect.HealthCheckHandler;
import io.nova.fanout.server.connect.InternalChannelInitializer;
import io.nova.fanout.server.connect.Readiness;
import io.nova.fanout.server.connect.StaticAssetHandler;
import io.nova.fanout.server.connect.StaticAssets;
import io.nova.fanout.server.connect.ViewerChannelInitializer;
import io.nova.fanout.server.fanout.Fanout;
import io.nova.fanout.server.fanout.FramePreEncoder;
import io.nova.fanout.server.fanout.InProcessEventBus;
import io.nova.fanout.server.handshake.AllowedOrigins;
import io.nova.fanout.server.handshake.AddressLimitHandler;
import io.nova.fanout.server.handshake.AddressLimits;
import io.nova.fanout.server.handshake.HandshakeLog;
import io.nova.fanout.server.handshake.ConnectionLimiter;
import io.nova.fanout.server.handshake.ViewerHandshakeHandler;
import io.nova.fanout.server.metrics.NovaMetrics;
import io.nova.fanout.server.session.ViewerIssueLog;
import io.nova.fanout.server.session.ViewerSessions;
import io.nova.fanout.server.stream.StreamRegistry;
import io.nova.fanout.server.tls.ServerTls;
import io.nova.fanout.server.tls.TlsReloader;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

/**
 * The server: wires the data path together and binds the viewer port and the internal port. Built from one
 * validated {@link ServerConfig}; holds no global state, so several can run in one JVM (as the tests do).
 */
public final class NovaServer implements AutoCloseable {
    /** How long an ended stream is remembered, so late viewers get 410 rather than 404. */
    private static final Duration ENDED_STREAM_RETENTION = Duration.ofHours(1);
    /** How often the demo stream's simulated broadcaster changes it. */
    private static final Duration DEMO_INTERVAL = Duration.ofSeconds(2);
    /** After the grace period, how long close frames get to go out before the remaining connections are cut. */
    private static final Duration CLOSE_FRAME_WAIT = Duration.ofSeconds(1);
    private static final long VIEWERS_GONE_POLL_MILLIS = 20;
    /** How often addresses without connections and with their handshake burst back are forgotten. */
    private static final long ADDRESS_SWEEP_SECONDS = 10;

    private final EventLoopGroup acceptors;
    private final EventLoopGroup workers;
    private final StreamRegistry registry;
    private final ViewerSessions sessions;
    private final PrometheusMeterRegistry meters;
    private final JvmGcMetrics gcMetrics;
    /** The RS256/ES256 keys and their refresh thread, or null without {@code --jwks-url}. */
    private final JwksKeys jwks;
    /** Dev mode's simulated broadcaster, or null. */
    private final DemoBroadcaster demo;
    private final Channel viewerListener;
    private final Channel internalListener;
    private final TlsReloader tlsReloader;
    private final ConnectionLimiter limiter;
    private final ScheduledFuture<?> addressSweep;
    private final Duration shutdownGrace;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private volatile Readiness readiness = Readiness.STARTING;

    private NovaServer(ServerConfig config) throws InterruptedException {
        // First, and on this thread: a JWKS that cannot be read stops the start before any port opens.
        jwks = config.jwksUrl() == null ? null : JwksKeys.start(config.jwksUrl(), config.jwksRefresh());
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory io = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        Class<? extends ServerChannel> serverChannel = epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class;
        acceptors = new MultiThreadIoEventLoopGroup(1, io);
        workers = new MultiThreadIoEventLoopGroup(config.ioThreads(), io);
        try {
            ProtocolCodec codec = new ProtocolCodec();
            FramePreEncoder encoder = new FramePreEncoder(codec, ByteBufAllocator.DEFAULT);
            limiter = new ConnectionLimiter(config.maxConnections());
            NovaMetrics metrics = new NovaMetrics(limiter::open, this::liveStreams);
            Fanout fanout = new Fanout(workers, System::nanoTime, metrics::fanoutLatency);
            registry = new StreamRegistry(workers, encoder, new InProcessEventBus(fanout), config.clock(),
                    config.maxFrameBytes(), config.viewerCountInterval(), config.viewerCountBudget(),
                    ENDED_STREAM_RETENTION);
            shutdownGrace = config.shutdownGrace();
            meters = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            metrics.bindTo(meters);
            // First, so that a certificate that cannot serve stops the start before anything runs.
            ServerTls viewerTls = loadTls("viewer", "tlsCert", config.tlsCert(), "tlsKey", config.tlsKey(), metrics,
                    config);
            ServerTls internalTls = loadTls("internal", "internalTlsCert", config.internalTlsCert(),
                    "internalTlsKey", config.internalTlsKey(), metrics, config);
            // Heap, GC and CPU figures let a load test relate its results to what the server spent.
            new JvmMemoryMetrics().bindTo(meters);
            gcMetrics = new JvmGcMetrics();
            gcMetrics.bindTo(meters);
            new ProcessorMetrics().bindTo(meters);
            new JvmThreadMetrics().bindTo(meters);
            // Micrometer's own Netty binders: the allocator's memory, and each event loop's pending tasks,
            // the first sign of a loop that cannot keep up.
            new NettyAllocatorMetrics((ByteBufAllocatorMetricProvider) ByteBufAllocator.DEFAULT).bindTo(meters);
            new NettyEventExecutorMetrics(workers).bindTo(meters);
            if (jwks != null) {
                jwks.bindTo(meters);
            }
            TokenVerifier tokens = new TokenVerifier(config.jwtSecret(), jwks, config.jwtAudience(), config.jwtIssuer(),
                    config.clock());
            sessions = new ViewerSessions(workers, new ViewerSessions.Settings(config.pingInterval(),
                    config.pingTimeout(), config.idleTimeout(), config.endGracePeriod(), config.bufferSize(),
                    config.maxFrameBytes(), config.inboundRate(), config.inboundBurst(), config.tokenExpiryWarning()),
                    codec, encoder, fanout, metrics, new ViewerIssueLog(), config.clock(), tokens);
            // Registered before the ports open, so that no viewer ever finds the demo stream missing.
            demo = config.demoStream() ? DemoBroadcaster.start(registry, DEMO_INTERVAL, new Random()) : null;
            HealthCheckHandler health = new HealthCheckHandler(() -> readiness);
            AllowedOrigins origins = AllowedOrigins.of(config.allowedOrigins());
            HandshakeLog handshakeLog = new HandshakeLog(System::nanoTime);
            AddressLimits addressLimits = new AddressLimits(config.maxConnectionsPerIp(), config.handshakeRatePerIp(),
                    config.handshakeBurstPerIp(), System::nanoTime);
            // One sweep for the whole server, not a timer per address or per viewer.
            addressSweep = workers.next().scheduleAtFixedRate(addressLimits::sweep, ADDRESS_SWEEP_SECONDS,
                    ADDRESS_SWEEP_SECONDS, TimeUnit.SECONDS);
            long handshakeTimeout = config.handshakeTimeout().toMillis();

            viewerListener = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(serverChannel)
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(
                            config.writeBufferLowWaterMark(), config.writeBufferHighWaterMark()))
                    .childHandler(new ViewerChannelInitializer(health, new StaticAssetHandler(StaticAssets.viewerPort()),
                            () -> new AddressLimitHandler(addressLimits, metrics, handshakeLog),
                            () -> new ViewerHandshakeHandler(tokens, registry, limiter, sessions, metrics, origins, handshakeLog,
                                    ViewerChannelInitializer.WEBSOCKET),
                            config.maxFrameBytes(), handshakeTimeout, viewerTls))
                    .bind(new InetSocketAddress(config.host(), config.port())).sync().channel();

            ObjectMapper mapper = BroadcasterApiContext.newObjectMapper();
            ServerStatus status = new ServerStatus(mapper, config, registry, limiter::open, () -> readiness,
                    viewerTls, internalTls);
            BroadcasterApiContext api = new BroadcasterApiContext(tokens, mapper, config.clock(),
                    meters::scrape, status::snapshot, config.maxFrameBytes());
            internalListener = new ServerBootstrap()
                    .group(acceptors, workers)
                    .channel(serverChannel)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new InternalChannelInitializer(health, () -> new BroadcasterApiHandler(registry, api),
                            config.maxRequestBodyBytes(), config.maxFrameBytes(), handshakeTimeout, internalTls))
                    .bind(new InetSocketAddress(config.internalHost(), config.internalPort())).sync().channel();
            tlsReloader = TlsReloader.start(Stream.of(viewerTls, internalTls).filter(Objects::nonNull).toList(),
                    config.tlsReloadInterval());
        } catch (InterruptedException | RuntimeException e) {
            shutdownGroups();
            if (jwks != null) {
                jwks.close();
            }
            throw e;
        }
        readiness = Readiness.READY;
    }

    /** The port's TLS from its two files, or null when the port is plain. */
    private static ServerTls loadTls(String port, String certSetting, Path cert, String keySetting, Path key,
            NovaMetrics metrics, ServerConfig config) {
        return cert == null ? null
                : ServerTls.load(port, new ServerTls.Source(certSetting, cert, keySetting, key), metrics, config.clock());
    }

    /**
     * Binds both ports and returns once both are listening.
     *
     * @throws IllegalArgumentException when a port's certificate or key cannot serve, naming the setting
     */
    public static NovaServer start(ServerConfig config) throws InterruptedException {
        return new NovaServer(config);
    }

    public int port() {
        return ((InetSocketAddress) viewerListener.localAddress()).getPort();
    }

    public int internalPort() {
        return ((InetSocketAddress) internalListener.localAddress()).getPort();
    }

    /** The registry of streams; exposed for embedding and tests. */
    public StreamRegistry streams() {
        return registry;
    }

    /** The Prometheus text of every meter. */
    public String scrapeMetrics() {
        return meters.scrape();
    }

    private int liveStreams() {
        int n = 0;
        for (var stream : registry.streams()) {
            if (stream.state().status() == StreamStatus.ACTIVE) {
                n++;
            }
        }
        return n;
    }

    /** Stops gracefully with the configured {@code shutdownGrace}; see {@link #stop(Duration)}. */
    @Override
    public void close() {
        stop(shutdownGrace);
    }

    /**
     * Stops: readiness goes false and the listeners stop accepting; every viewer gets {@code SERVER_SHUTDOWN}
     * behind what it has buffered and then a close 1001, within {@code grace}; then whatever is left is cut
     * and the event loops stop. Blocks until done; later calls return at once.
     */
    public void stop(Duration grace) {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        readiness = Readiness.DRAINING;
        tlsReloader.close();
        if (demo != null) {
            demo.close();
        }
        viewerListener.close().syncUninterruptibly();
        internalListener.close().syncUninterruptibly();
        sessions.shutDown(grace);
        awaitViewersGone(grace.plus(CLOSE_FRAME_WAIT));
        sessions.stop();
        addressSweep.cancel(false);
        registry.close();
        shutdownGroups();
        if (jwks != null) {
            jwks.close();
        }
        gcMetrics.close();
        meters.close();
    }

    /** Polls, off the event loops, until every viewer connection is closed or {@code limit} has passed. */
    private void awaitViewersGone(Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (limiter.open() > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(VIEWERS_GONE_POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void shutdownGroups() {
        acceptors.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
