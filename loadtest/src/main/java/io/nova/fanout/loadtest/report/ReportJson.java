package io.nova.fanout.loadtest.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;

/** Writes a {@link RunReport} as the {@code --report} JSON: snake_case names, indented for people too. */
public final class ReportJson {
    private final ObjectMapper mapper = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .enable(SerializationFeature.INDENT_OUTPUT);

    public void write(RunReport report, Path file) throws IOException {
        mapper.writeValue(file.toFile(), report);
    }

    public String toJson(RunReport report) throws IOException {
        return mapper.writeValueAsString(report);
    }
}
