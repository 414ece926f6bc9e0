package io.slipway.pipeline.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.pipeline.PinnedImage;
import io.slipway.oci.vulnerability.ScanReport.Finding;
import io.slipway.oci.vulnerability.Severity;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gate's decisions over reports shaped as {@code GET /api/v1/va} answers them. */
class GateStepTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final PinnedImage IMAGE = PinnedImage.parse("acme-dev/svc@sha256:" + "ab".repeat(32));

    static JsonNode report(String state, String status, String vulnerabilities) throws Exception {
        return JSON.readTree("{\"status\":\"" + status + "\"" + (state == null ? "" : ",\"state\":\"" + state + "\"")
                + ",\"databaseVersion\":\"db-1\",\"currentDatabaseVersion\":\"db-1\""
                + ",\"vulnerabilities\":" + vulnerabilities + "}");
    }

    static String vuln(String id, String severity, boolean exempt) {
        return "{\"id\":\"" + id + "\",\"severity\":\"" + severity + "\",\"package\":\"p\",\"installed\":\"1\","
                + "\"fixed\":\"2\",\"exempt\":" + exempt + "}";
    }

    GateStep.Input input(Severity threshold, Duration timeout) {
        return new GateStep.Input(IMAGE, threshold, timeout, Duration.ofMillis(1));
    }

    @Test
    void waitsWhileQueuedOrScanningThenJudges() throws Exception {
        Deque<JsonNode> answers = new ArrayDeque<>(List.of(report(null, "Scanning", "[]"),
                report("QUEUED", "Scanning", "[]"), report("SCANNING", "Scanning", "[]"),
                report("DONE", "1 Issue", "[" + vuln("CVE-1", "CRITICAL", false) + "]")));
        List<String> lines = new ArrayList<>();
        GateResult r = new GateStep(image -> answers.poll(), lines::add).run(input(Severity.HIGH, Duration.ofSeconds(30)));
        assertThat(answers).isEmpty();
        assertThat(lines).hasSize(3).allMatch(l -> l.contains("waiting"));
        assertThat(r.passed()).isFalse();
        assertThat(r.blocking()).extracting(Finding::id).containsExactly("CVE-1");
    }

    @Test
    void oneLookSaysPendingOrGivesTheVerdictWithItsTable() throws Exception {
        Deque<JsonNode> answers = new ArrayDeque<>(List.of(report("SCANNING", "Scanning", "[]"),
                report("DONE", "1 Issue", "[" + vuln("CVE-1", "CRITICAL", false) + "]")));
        GateStep gate = new GateStep(image -> answers.poll(), line -> { });
        GateStep.Look pending = gate.look(input(Severity.HIGH, Duration.ofSeconds(30)));
        assertThat(pending.finished()).isFalse();
        assertThat(pending.status()).isEqualTo("Scanning");
        GateStep.Look done = gate.look(input(Severity.HIGH, Duration.ofSeconds(30)));
        assertThat(done.finished()).isTrue();
        assertThat(done.verdict().passed()).isFalse();
        assertThat(done.verdict().table()).contains("CVE-1").contains("BLOCKS").contains("FIXED");
        assertThat(done.verdict().failure(IMAGE, Severity.HIGH))
                .isEqualTo("gate failed for " + IMAGE + ": 1 finding(s) at or above high: CVE-1 (CRITICAL)");
        assertThat(GateStep.timeout(input(Severity.HIGH, Duration.ofSeconds(30)), "Scanning").getMessage())
                .contains("had not finished").contains("(status Scanning)");
    }

    @Test
    void thresholdAndExemptionsDecideWhatBlocks() throws Exception {
        JsonNode done = report("DONE", "2 Issues", "[" + vuln("CVE-C", "CRITICAL", true) + ","
                + vuln("CVE-H", "HIGH", false) + "," + vuln("CVE-M", "MEDIUM", false) + "," + vuln("CVE-U", "UNKNOWN", false) + "]");
        GateStep gate = new GateStep(image -> done, line -> { });
        // The critical one is exempt; a finding no source rated counts at every threshold.
        assertThat(gate.run(input(Severity.CRITICAL, Duration.ofSeconds(1))).blocking()).extracting(Finding::id)
                .containsExactly("CVE-U");
        JsonNode rated = report("DONE", "2 Issues", "[" + vuln("CVE-C", "CRITICAL", true) + ","
                + vuln("CVE-H", "HIGH", false) + "," + vuln("CVE-M", "MEDIUM", false) + "]");
        GateResult critical = new GateStep(image -> rated, line -> { }).run(input(Severity.CRITICAL, Duration.ofSeconds(1)));
        assertThat(critical.passed()).isTrue(); // critical is exempt
        assertThat(critical.success(IMAGE, Severity.CRITICAL)).isEqualTo("gate passed: " + IMAGE + ": no unexempted finding "
                + "at or above critical; 3 findings judged (1 exempt, 2 below the threshold); registry status \"2 Issues\"");
        assertThat(gate.run(input(Severity.HIGH, Duration.ofSeconds(1))).blocking()).extracting(Finding::id)
                .containsExactly("CVE-H", "CVE-U");
        assertThat(gate.run(input(Severity.MEDIUM, Duration.ofSeconds(1))).blocking()).extracting(Finding::id)
                .containsExactly("CVE-H", "CVE-M", "CVE-U");
        GateResult low = gate.run(input(Severity.LOW, Duration.ofSeconds(1)));
        assertThat(low.blocking()).extracting(Finding::id).containsExactly("CVE-H", "CVE-M", "CVE-U");
        assertThat(low.all()).hasSize(4);
    }

    @Test
    void aFailedOrUnsupportedScanFailsTheGateWithAReason() throws Exception {
        JsonNode failed = JSON.readTree("{\"status\":\"Scan failed\",\"state\":\"FAILED\",\"error\":\"corrupt layer\"}");
        GateResult r = new GateStep(image -> failed, line -> { }).run(input(Severity.CRITICAL, Duration.ofSeconds(1)));
        assertThat(r.passed()).isFalse();
        assertThat(r.reason()).contains("corrupt layer");
        JsonNode unsupported = report("UNSUPPORTED", "Unsupported", "[]");
        assertThat(new GateStep(image -> unsupported, line -> { }).run(input(Severity.LOW, Duration.ofSeconds(1))).passed())
                .isFalse();
        JsonNode unsupportedWithoutState = report(null, "Unsupported", "[]");
        assertThat(new GateStep(image -> unsupportedWithoutState, line -> { }).run(input(Severity.LOW, Duration.ofSeconds(1)))
                .reason()).contains("cannot scan");
    }

    @Test
    void configurationIssuesCountOnlyWhenAskedFor() throws Exception {
        JsonNode done = JSON.readTree("{\"status\":\"1 Issue\",\"state\":\"DONE\",\"vulnerabilities\":[],"
                + "\"databaseVersion\":\"db-1\",\"currentDatabaseVersion\":\"db-1\","
                + "\"configuration\":[{\"id\":\"runs-as-root\",\"severity\":\"HIGH\",\"exempt\":false}]}");
        GateStep gate = new GateStep(image -> done, line -> { });
        GateResult lenient = gate.run(input(Severity.HIGH, Duration.ofSeconds(1)));
        assertThat(lenient.passed()).isTrue();
        // "1 Issue" beside 0 findings is explained, not left to confuse
        assertThat(lenient.success(IMAGE, Severity.HIGH)).isEqualTo("gate passed: " + IMAGE + ": no unexempted finding at or "
                + "above high; 0 findings judged; the registry's status \"1 Issue\" also counts configuration issues, "
                + "which the gate judges only with includeConfiguration: true");
        GateResult strict = gate.run(new GateStep.Input(IMAGE, Severity.HIGH, Duration.ofSeconds(1), Duration.ofMillis(1), true));
        assertThat(strict.passed()).isFalse();
        assertThat(strict.blocking()).extracting(Finding::id).containsExactly("runs-as-root");
    }

    @Test
    void negligibleFindingsPassAHighThresholdAndCountAtNegligible() throws Exception {
        JsonNode done = report("DONE", "1 Issue", "[" + vuln("CVE-2005-2541", "NEGLIGIBLE", false) + "]");
        GateStep gate = new GateStep(image -> done, line -> { });
        assertThat(gate.run(input(Severity.HIGH, Duration.ofSeconds(1))).passed()).isTrue();
        assertThat(gate.run(input(Severity.LOW, Duration.ofSeconds(1))).passed()).isTrue();
        assertThat(gate.run(input(Severity.NEGLIGIBLE, Duration.ofSeconds(1))).blocking()).extracting(Finding::id)
                .containsExactly("CVE-2005-2541");
    }

    @Test
    void anUnassessedImageFailsUnlessAllowedExplicitly() throws Exception {
        JsonNode done = JSON.readTree("{\"status\":\"Unsupported OS\",\"state\":\"DONE\",\"unassessed\":"
                + "\"the operating system Plan 9 (ID=plan9) is not supported\",\"databaseVersion\":\"db-1\","
                + "\"currentDatabaseVersion\":\"db-1\",\"vulnerabilities\":[]}");
        GateStep gate = new GateStep(image -> done, line -> { });
        GateResult strict = gate.run(input(Severity.CRITICAL, Duration.ofSeconds(1)));
        assertThat(strict.passed()).isFalse();
        assertThat(strict.failure(IMAGE, Severity.CRITICAL)).contains("not assessed").contains("Plan 9")
                .contains("--allow-unassessed");
        GateResult allowed = gate.run(new GateStep.Input(IMAGE, Severity.CRITICAL, Duration.ofSeconds(1),
                Duration.ofMillis(1), false, true));
        assertThat(allowed.passed()).isTrue();
    }

    @Test
    void aReportAgainstAnOlderAdvisoryDatabaseIsWaitedForNotJudged() throws Exception {
        JsonNode stale = JSON.readTree("{\"status\":\"No Issues\",\"state\":\"DONE\",\"databaseVersion\":\"db-1\","
                + "\"currentDatabaseVersion\":\"db-2\",\"vulnerabilities\":[]}");
        JsonNode fresh = report("DONE", "1 Issue", "[" + vuln("CVE-NEW", "HIGH", false) + "]")
                .deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) fresh).put("databaseVersion", "db-2").put("currentDatabaseVersion", "db-2");
        Deque<JsonNode> answers = new ArrayDeque<>(List.of(stale, fresh));
        List<String> lines = new ArrayList<>();
        GateResult r = new GateStep(image -> answers.poll(), lines::add).run(input(Severity.HIGH, Duration.ofSeconds(30)));
        assertThat(lines).singleElement().asString().contains("older advisory database");
        assertThat(r.blocking()).extracting(Finding::id).containsExactly("CVE-NEW");
    }

    @Test
    void aReportTheGateCannotReadFailsNamingWhatWasUnreadable() throws Exception {
        JsonNode badSeverity = report("DONE", "1 Issue", "[" + vuln("CVE-X", "SEVERE", false) + "]");
        GateResult r = new GateStep(image -> badSeverity, line -> { }).run(input(Severity.CRITICAL, Duration.ofSeconds(1)));
        assertThat(r.passed()).isFalse();
        assertThat(r.reason()).contains("CVE-X has severity \"SEVERE\"");
        JsonNode badState = JSON.readTree("{\"status\":\"?\",\"state\":\"SOMETHING\"}");
        assertThat(new GateStep(image -> badState, line -> { }).run(input(Severity.CRITICAL, Duration.ofSeconds(1)))
                .reason()).contains("scan state \"SOMETHING\"");
        JsonNode noVersion = JSON.readTree("{\"status\":\"No Issues\",\"state\":\"DONE\",\"vulnerabilities\":[]}");
        assertThat(new GateStep(image -> noVersion, line -> { }).run(input(Severity.CRITICAL, Duration.ofSeconds(1)))
                .reason()).contains("advisory database");
    }

    @Test
    void timesOutWhenTheScanNeverFinishes() throws Exception {
        JsonNode scanning = report("SCANNING", "Scanning", "[]");
        int[] polls = {0};
        GateStep gate = new GateStep(image -> {
            polls[0]++;
            return scanning;
        }, line -> { });
        assertThatThrownBy(() -> gate.run(input(Severity.HIGH, Duration.ofMillis(50))))
                .isInstanceOf(GateTimeoutException.class).hasMessageContaining(IMAGE.toString()).hasMessageContaining("Scanning");
        assertThat(polls[0]).isGreaterThan(1);
    }

    @Test
    void inputsAreValidated() {
        assertThatThrownBy(() -> PinnedImage.parse("acme-dev/svc:1.0")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("no digest");
        assertThatThrownBy(() -> PinnedImage.parse("Not A Ref@sha256:00")).isInstanceOf(IllegalArgumentException.class);
        assertThat(PinnedImage.parse("127.0.0.1:5000/acme-dev/svc:1@sha256:" + "ab".repeat(32)).repository())
                .isEqualTo("acme-dev/svc");
        assertThatThrownBy(() -> new GateStep.Input(IMAGE, Severity.HIGH, Duration.ofSeconds(1), Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
