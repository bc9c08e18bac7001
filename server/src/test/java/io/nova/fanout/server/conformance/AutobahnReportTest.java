package io.nova.fanout.server.conformance;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;

class AutobahnReportTest {
    private static final String AGENT = "autobahntestsuite-maven-plugin";
    private static final List<String> UTF8_FAIL_FAST = List.of("6.4.");

    @Test
    void okAndInformationalCasesPass() throws Exception {
        AutobahnReport report = report(
                "\"1.1.1\": " + result("OK", "OK", 1000) + ", \"7.13.1\": " + result("INFORMATIONAL", "INFORMATIONAL", 5000));
        assertThat(report.problems(UTF8_FAIL_FAST)).isEmpty();
        assertThat(report.summary()).isEqualTo("2 cases; behaviour: 1 OK, 1 INFORMATIONAL (7.13.1); close: 1 OK, 1 INFORMATIONAL (7.13.1)");
    }

    @Test
    void aWrongCloseCodeFailsThoughThePluginOnlyLooksAtTheBehaviour() throws Exception {
        AutobahnReport report = report("\"6.3.1\": " + result("OK", "WRONG CODE", 1002));
        assertThat(report.problems(UTF8_FAIL_FAST)).singleElement().asString()
                .startsWith("6.3.1: behaviour OK, close WRONG CODE (close code 1002;");
    }

    @Test
    void anUncleanCloseFails() throws Exception {
        assertThat(report("\"7.1.1\": " + result("OK", "UNCLEAN", 1000)).problems(UTF8_FAIL_FAST)).hasSize(1);
    }

    @Test
    void nonStrictPassesOnlyInTheCasesNamed() throws Exception {
        AutobahnReport report = report("\"6.4.3\": " + result("NON-STRICT", "OK", 1007)
                + ", \"7.3.1\": " + result("NON-STRICT", "OK", 1000));
        assertThat(report.problems(UTF8_FAIL_FAST)).singleElement().asString().startsWith("7.3.1: behaviour NON-STRICT");
        assertThat(report.problems(List.of("7.3.1"))).singleElement().asString().startsWith("6.4.3:");
    }

    @Test
    void aFailedCaseFails() throws Exception {
        assertThat(report("\"9.1.1\": " + result("FAILED", "OK", 1000)).problems(UTF8_FAIL_FAST)).hasSize(1);
    }

    @Test
    void noResultsFail() throws Exception {
        assertThat(report("").problems(UTF8_FAIL_FAST)).containsExactly("no results: the suite ran no case");
        JsonNode otherAgent = new ObjectMapper().readTree("{\"someone-else\": {\"1.1.1\": " + result("OK", "OK", 1000) + "}}");
        assertThat(new AutobahnReport(otherAgent, AGENT).problems(UTF8_FAIL_FAST)).hasSize(1);
    }

    @Test
    void casesAreListedInNumericOrder() throws Exception {
        AutobahnReport report = report("\"10.1.1\": " + result("FAILED", "OK", 1000)
                + ", \"9.2.1\": " + result("FAILED", "OK", 1000) + ", \"9.10.1\": " + result("FAILED", "OK", 1000));
        assertThat(report.problems(UTF8_FAIL_FAST)).extracting(p -> p.substring(0, p.indexOf(':')))
                .containsExactly("9.2.1", "9.10.1", "10.1.1");
    }

    private static AutobahnReport report(String cases) throws Exception {
        return new AutobahnReport(new ObjectMapper().readTree("{\"" + AGENT + "\": {" + cases + "}}"), AGENT);
    }

    private static String result(String behavior, String close, int closeCode) {
        return "{\"behavior\": \"" + behavior + "\", \"behaviorClose\": \"" + close + "\", \"duration\": 3, "
                + "\"remoteCloseCode\": " + closeCode + ", \"reportfile\": \"case.json\"}";
    }
}
