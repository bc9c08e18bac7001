package io.nova.fanout.server.tls;

import io.micrometer.core.instrument.Counter;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.nova.fanout.server.metrics.NovaMetrics;
import java.nio.channels.ClosedChannelException;
import java.util.Map;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sits right behind the {@code SslHandler}: counts failed handshakes by reason, and closes a connection whose
 * TLS layer failed instead of letting the error reach the end of the pipeline, where Netty would log it as a
 * warning with its stack trace (a scanner speaking plain HTTP, or a client refusing the certificate, would
 * otherwise fill the log). Anything else it passes on. Reasons: {@code timeout} (no handshake within the
 * deadline), {@code not_tls} (plain HTTP on a TLS port), {@code closed} (the client went away during the
 * handshake) and {@code handshake} (every other failure: no common protocol or cipher suite, the client
 * refused the certificate).
 */
@Sharable
public final class TlsFailureHandler extends ChannelInboundHandlerAdapter {
    /** Reasons, a closed set: the tag of the failures counter. */
    static final String TIMEOUT = "timeout";
    static final String NOT_TLS = "not_tls";
    static final String CLOSED = "closed";
    static final String HANDSHAKE = "handshake";

    private static final Logger log = LoggerFactory.getLogger(TlsFailureHandler.class);

    private final String port;
    /** By reason; registered up front, so that the data path only increments. */
    private final Map<String, Counter> failures;

    public TlsFailureHandler(String port, NovaMetrics metrics) {
        this.port = port;
        this.failures = Map.of(TIMEOUT, metrics.tlsHandshakeFailures(port, TIMEOUT),
                NOT_TLS, metrics.tlsHandshakeFailures(port, NOT_TLS),
                CLOSED, metrics.tlsHandshakeFailures(port, CLOSED),
                HANDSHAKE, metrics.tlsHandshakeFailures(port, HANDSHAKE));
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent completion && !completion.isSuccess()) {
            Throwable cause = completion.cause();
            String reason = cause instanceof SslHandshakeTimeoutException ? TIMEOUT
                    : cause instanceof NotSslRecordException ? NOT_TLS
                    : cause instanceof ClosedChannelException ? CLOSED
                    : HANDSHAKE;
            failures.get(reason).increment();
            log.debug("TLS handshake on the {} port with {} failed: {}", port, ctx.channel().remoteAddress(),
                      describe(cause));
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        Throwable tls = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        if (tls instanceof SSLException) {
            log.debug("TLS on the {} port with {} failed: {}", port, ctx.channel().remoteAddress(), describe(tls));
            ctx.close();
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    /** Netty's message for a record that is not TLS is a hex dump of what came: perhaps a token, in plain HTTP. */
    private static String describe(Throwable cause) {
        return cause instanceof NotSslRecordException ? "not TLS (plain HTTP on a TLS port?)" : cause.toString();
    }
}
