package io.nova.fanout.protocol;

/**
 * The viewer's player and environment, attached to a {@link ReportIssue}. Every field is optional
 * ({@code null}); strings are at most {@link ProtocolLimits#MAX_CLIENT_INFO_FIELD_CHARS} characters.
 *
 * @param bandwidthEstimateKbps the player's own bandwidth estimate, not negative, or {@code null}
 */
public record ClientInfo(String player, String browser, String os, String network, Integer bandwidthEstimateKbps) {
}
