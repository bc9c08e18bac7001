package io.nova.fanout.server;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

/**
 * The {@code --config} file: a YAML mapping from setting names, which are the long option names without
 * their {@code --} ({@code port: 8080}, {@code ping-interval: 30s}), to values; a list stands for a
 * comma-separated value. Values stay text here so that the command line's own converters and messages
 * apply to them, exactly as to a flag or an environment variable.
 */
final class ConfigFile {
    /** A configuration is a few dozen lines; anything this big is the wrong file. */
    private static final long MAX_BYTES = 1024 * 1024;

    private ConfigFile() {}

    /**
     * Reads {@code file}, whose keys must all be in {@code settings}.
     *
     * @throws IllegalArgumentException naming the file, and the line and setting where there is one
     */
    static Map<String, String> read(Path file, Set<String> settings) {
        final JsonNode root = parse(file);
        if (root == null || root.isMissingNode() || root.isNull()) {
            return Map.of(); // An empty file sets nothing, like an empty environment.
        }
        if (!root.isObject()) {
            throw invalid(file, "expected a mapping of setting names to values, e.g. 'port: 8080'");
        }
        final Map<String, String> values = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            final Map.Entry<String, JsonNode> entry = it.next();
            final String name = entry.getKey();
            if (!settings.contains(name)) {
                throw invalid(file, "unknown setting '" + name + "' (expected: one of " + String.join(", ", settings) + ')');
            }
            values.put(name, text(file, name, entry.getValue()));
        }
        return values;
    }

    private static JsonNode parse(Path file) {
        final byte[] bytes;
        try {
            if (Files.size(file) > MAX_BYTES) {
                throw invalid(file, "larger than " + MAX_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw invalid(file, "no such file");
        } catch (IOException e) {
            throw invalid(file, "cannot be read (" + e.getMessage() + ')');
        }
        final YAMLMapper mapper = YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try {
            return mapper.readTree(bytes);
        } catch (JsonProcessingException e) {
            final JsonLocation where = e.getLocation();
            final String line = where == null || where.getLineNr() < 1 ? "" : "line " + where.getLineNr() + ": ";
            throw invalid(file, line + e.getOriginalMessage());
        } catch (IOException e) {
            throw invalid(file, "cannot be read (" + e.getMessage() + ')');
        }
    }

    private static String text(Path file, String name, JsonNode value) {
        if (value.isValueNode() && !value.isNull()) {
            return value.asText();
        }
        if (value.isArray()) {
            final List<String> items = new ArrayList<>();
            for (JsonNode item : value) {
                if (!item.isValueNode() || item.isNull()) {
                    throw invalid(file, name + ": expected a list of values");
                }
                items.add(item.asText());
            }
            return String.join(",", items);
        }
        throw invalid(file, name + ": " + (value.isNull() ? "no value" : "a mapping") +
                            " (expected: a value, or a list of values)");
    }

    private static IllegalArgumentException invalid(Path file, String problem) {
        return new IllegalArgumentException("config file " + file + ": " + problem);
    }
}
