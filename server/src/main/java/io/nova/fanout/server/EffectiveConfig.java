package io.nova.fanout.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * The text of {@code --print-config}: every setting as a line of a config file, with where its value came
 * from. Secrets show only whether they are set. The output is itself a valid {@code --config} file, but for
 * the masked secrets, which are left out.
 */
final class EffectiveConfig {
    private static final String MASK = "********";
    /** Values YAML reads back as the same text without quotes (lists quote every item: flow context). */
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9/][A-Za-z0-9._/:@+-]*");

    private EffectiveConfig() {}

    static String render(CommandLine commandLine, Map<String, String> env, Map<String, String> fileValues,
                         Path file, Set<String> secrets, Predicate<OptionSpec> isSetting) {
        final StringBuilder text = new StringBuilder(
                "# nova-server effective configuration (a flag wins over the environment, the environment over\n" +
                "# the config file, the file over the default)\n");
        for (OptionSpec option : commandLine.getCommandSpec().options()) {
            if (!isSetting.test(option)) {
                continue;
            }
            final String source = source(commandLine, option, env, fileValues, file);
            final Object value = option.getValue();
            final String name = Main.settingName(option);
            if (value == null) {
                text.append("# ").append(name).append(": not set (").append(source).append(")\n");
            } else if (secrets.contains(option.longestName())) {
                text.append("# ").append(name).append(": ").append(MASK).append(" (").append(source).append(")\n");
            } else {
                text.append(name).append(": ").append(yaml(value)).append("  # ").append(source).append('\n');
            }
        }
        return text.toString();
    }

    private static String source(CommandLine commandLine, OptionSpec option, Map<String, String> env,
                                 Map<String, String> fileValues, Path file) {
        if (commandLine.getParseResult().hasMatchedOption(option)) {
            return "flag " + option.longestName();
        }
        if (env.containsKey(Main.envName(option))) {
            return "environment " + Main.envName(option);
        }
        return fileValues.containsKey(Main.settingName(option)) ? "config file " + file : "default";
    }

    private static String yaml(Object value) {
        if (value instanceof Collection<?> items) {
            return items.stream().map(item -> singleQuoted(item.toString())).collect(Collectors.joining(", ", "[", "]"));
        }
        if (value instanceof Duration duration) {
            return Durations.format(duration);
        }
        return quoted(value.toString());
    }

    private static String quoted(String value) {
        return PLAIN.matcher(value).matches() ? value : singleQuoted(value);
    }

    private static String singleQuoted(String value) {
        return '\'' + value.replace("'", "''") + '\'';
    }
}
