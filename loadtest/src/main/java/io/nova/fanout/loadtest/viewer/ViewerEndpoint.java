package io.nova.fanout.loadtest.viewer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;

/**
 * Where viewers connect: the server's viewer base URL, resolved once so that ten thousand connects do not
 * mean ten thousand lookups, and the path of each stream's WebSocket under it.
 */
public final class ViewerEndpoint {
    private static final int DEFAULT_PORT = 80;

    private final URI base;
    private final String pathPrefix;
    private final InetSocketAddress address;

    /**
     * @param base {@code ws://HOST[:PORT][/PREFIX]}
     * @throws IllegalArgumentException if it is not such a URL or the host does not resolve
     */
    public ViewerEndpoint(URI base) {
        if (!"ws".equals(base.getScheme()) || base.getHost() == null || base.getQuery() != null) {
            throw new IllegalArgumentException("url: " + base + " (expected: ws://HOST[:PORT][/PATH], without a query)");
        }
        this.base = base;
        String path = base.getRawPath() == null ? "" : base.getRawPath();
        this.pathPrefix = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        try {
            InetAddress host = InetAddress.getByName(base.getHost());
            this.address = new InetSocketAddress(host, base.getPort() < 0 ? DEFAULT_PORT : base.getPort());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("url: unknown host " + base.getHost(), e);
        }
    }

    public InetSocketAddress address() {
        return address;
    }

    /** Whether the server is on this machine's loopback interface, where the 127.0.0.0/8 range can source connects. */
    public boolean loopback() {
        return address.getAddress().isLoopbackAddress();
    }

    /** The upgrade URL of {@code streamId}'s viewer socket, with the token as query parameter. */
    public URI streamUri(String streamId, String token) {
        // Stream ids are [A-Za-z0-9._-] and JWTs base64url with dots: neither needs escaping.
        return URI.create("ws://" + base.getRawAuthority() + pathPrefix + "/api/v1/streams/" + streamId + "/ws?token=" + token);
    }

    @Override
    public String toString() {
        return base.toString();
    }
}
