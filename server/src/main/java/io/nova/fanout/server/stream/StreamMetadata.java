package io.nova.fanout.server.stream;

import java.util.Objects;

/** What a broadcaster says about its stream when registering it; validated by the broadcaster API. */
public record StreamMetadata(
        String broadcasterId,
        String broadcasterName,
        String title,
        String description,
        String quality,
        int fps,
        int bitrateKbps) {

    public StreamMetadata {
        Objects.requireNonNull(broadcasterId, "broadcasterId");
        Objects.requireNonNull(broadcasterName, "broadcasterName");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(quality, "quality");
    }

    StreamMetadata withQuality(String newQuality, int newBitrateKbps, int newFps) {
        return new StreamMetadata(broadcasterId, broadcasterName, title, description, newQuality, newFps, newBitrateKbps);
    }
}
