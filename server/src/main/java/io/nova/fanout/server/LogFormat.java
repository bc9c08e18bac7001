package io.nova.fanout.server;

import java.net.URL;
import java.util.Locale;

import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;

/** How log lines are written: {@code logback.xml}'s text lines, or one JSON object per line. */
enum LogFormat {
    TEXT,
    JSON;

    /** Reconfigures logging for this format; call before the first line that should have it. */
    void apply() {
        if (this == TEXT) {
            return; // logback.xml, which Logback found by itself
        }
        final URL json = LogFormat.class.getResource("logback-json.xml");
        final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.reset();
        final JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(json);
        } catch (JoranException e) {
            throw new IllegalStateException("cannot configure JSON logs from " + json, e);
        }
    }

    /** @throws IllegalArgumentException naming the value and the formats */
    static LogFormat parse(String text) {
        for (LogFormat format : values()) {
            if (format.toString().equalsIgnoreCase(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown log format '" + text + "' (expected: text or json)");
    }

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
