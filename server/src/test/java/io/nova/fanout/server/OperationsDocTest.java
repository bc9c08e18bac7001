package io.nova.fanout.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.nova.fanout.server.testing.RepositoryRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import picocli.CommandLine.Model.OptionSpec;

/** docs/operations.md's table of settings is the command line's, flag for flag. */
class OperationsDocTest {
    private static final Pattern ROW = Pattern.compile("\\| `(--[a-z-]+)` \\| `([A-Z_]+)` \\| ([^|]+) \\| ([^|]+) \\|.*");

    @Test
    void everySettingHasARowWithItsThreeSpellingsAndItsDefault() throws IOException {
        final Map<String, Matcher> rows = rows();
        final List<OptionSpec> settings = Main.newCommandLine(Map.of()).getCommandSpec().options().stream()
                .filter(Main::isSetting).toList();
        assertThat(rows.keySet()).containsExactlyInAnyOrderElementsOf(
                settings.stream().map(OptionSpec::longestName).toList());
        for (OptionSpec option : settings) {
            final Matcher row = rows.get(option.longestName());
            assertThat(row.group(2)).as("environment of %s", option.longestName()).isEqualTo(Main.envName(option));
            if (!option.longestName().equals("--config")) {
                assertThat(row.group(3).trim()).as("file key of %s", option.longestName())
                        .isEqualTo('`' + Main.settingName(option) + '`');
            }
            final String documentedDefault = row.group(4).trim();
            if (option.defaultValue() == null) {
                assertThat(documentedDefault).as("default of %s", option.longestName()).startsWith("none");
            } else {
                assertThat(documentedDefault).as("default of %s", option.longestName())
                        .startsWith('`' + option.defaultValue() + '`');
            }
        }
    }

    private static Map<String, Matcher> rows() throws IOException {
        final Map<String, Matcher> rows = new LinkedHashMap<>();
        for (String line : Files.readAllLines(RepositoryRoot.doc("operations.md"), UTF_8)) {
            final Matcher row = ROW.matcher(line);
            if (row.matches()) {
                assertThat(rows.put(row.group(1), row)).as("rows of %s", row.group(1)).isNull();
            }
        }
        return rows;
    }
}
