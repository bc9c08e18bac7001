package io.nova.fanout.server.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads the Autobahn suite's {@code index.json} after the Maven plugin's run and fails the build on what the
 * plugin lets through: it only looks at each case's behaviour, so a wrong close code or an unclean close
 * passes there. Here every close must be OK (or informational), and NON-STRICT is accepted only in the cases
 * named. Prints one summary line either way.
 */
public final class AutobahnReport {
    private static final List<String> PASSING = List.of("OK", "INFORMATIONAL");
    private static final String NON_STRICT = "NON-STRICT";

    private final Map<String, JsonNode> cases = new TreeMap<>(AutobahnReport::compareCaseIds);

    AutobahnReport(JsonNode index, String agent) {
        JsonNode byCase = index.path(agent);
        byCase.fields().forEachRemaining(e -> cases.put(e.getKey(), e.getValue()));
    }

    /**
     * @param nonStrictAllowed case ids, or prefixes ending in {@code .}, whose NON-STRICT behaviour is accepted
     * @return one line per case that fails the build, in case order; empty when all is well
     */
    List<String> problems(List<String> nonStrictAllowed) {
        List<String> problems = new ArrayList<>();
        if (cases.isEmpty()) {
            problems.add("no results: the suite ran no case");
        }
        cases.forEach((id, result) -> {
            String behavior = result.path("behavior").asText();
            String close = result.path("behaviorClose").asText();
            boolean behaviorPasses = PASSING.contains(behavior)
                    || NON_STRICT.equals(behavior) && nonStrictAllowed.stream().anyMatch(a -> matches(a, id));
            if (!behaviorPasses || !PASSING.contains(close)) {
                problems.add(id + ": behaviour " + behavior + ", close " + close + " (close code "
                        + result.path("remoteCloseCode").asText("none") + "; see " + result.path("reportfile").asText() + ")");
            }
        });
        return problems;
    }

    /** For example {@code 263 cases; behaviour: 258 OK, 2 NON-STRICT (6.4.3, 6.4.4), 3 INFORMATIONAL; close: ...}. */
    String summary() {
        return cases.size() + " cases; behaviour: " + tally("behavior") + "; close: " + tally("behaviorClose");
    }

    private String tally(String field) {
        Map<String, List<String>> byOutcome = new TreeMap<>(Comparator.comparing((String o) -> !"OK".equals(o))
                .thenComparing(Comparator.naturalOrder()));
        cases.forEach((id, result) -> byOutcome.computeIfAbsent(result.path(field).asText(), k -> new ArrayList<>()).add(id));
        List<String> parts = new ArrayList<>();
        byOutcome.forEach((outcome, ids) -> parts.add(ids.size() + " " + outcome
                + ("OK".equals(outcome) ? "" : " (" + String.join(", ", ids) + ")")));
        return String.join(", ", parts);
    }

    private static boolean matches(String allowed, String id) {
        return allowed.endsWith(".") ? id.startsWith(allowed) : id.equals(allowed);
    }

    /** Numerically, part by part: 9.2 before 10.1. */
    static int compareCaseIds(String a, String b) {
        int[] x = Arrays.stream(a.split("\\.")).mapToInt(Integer::parseInt).toArray();
        int[] y = Arrays.stream(b.split("\\.")).mapToInt(Integer::parseInt).toArray();
        return Arrays.compare(x, y);
    }

    /** Arguments: the index.json, the plugin's agent name, and the NON-STRICT cases accepted, comma-separated. */
    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: AutobahnReport INDEX_JSON AGENT NON_STRICT_ALLOWED");
        }
        Path index = Path.of(args[0]);
        if (!Files.isRegularFile(index)) {
            throw new IllegalStateException(index.toAbsolutePath() + ": no Autobahn results (expected: the fuzzingclient "
                    + "goal ran first, from the same working directory)");
        }
        AutobahnReport report = new AutobahnReport(new ObjectMapper().readTree(index.toFile()), args[1]);
        System.out.println("Autobahn: " + report.summary());
        List<String> problems = report.problems(List.of(args[2].split(",")));
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Autobahn cases failed:\n  " + String.join("\n  ", problems));
        }
    }
}
