package io.slipway.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import io.slipway.registry.testing.IamFixture;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The four judges of an image — the pipeline's gate ({@code slipway gate}), {@code slipway policy
 * check}, {@code slipway promote} and the admission webhook — over the same table of images pushed
 * to a real registry, each at threshold {@code high}: every judge must give every image the same
 * verdict. Then the explicit opt-outs for unassessed images, and an advisory import through the
 * running registry that the very next judgement already uses.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JudgementsAgreeTest {
    @TempDir
    static Path tmp;

    IamFixture iam;
    String url;
    String host;

    static final String DEBIAN_12 = """
            PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
            NAME="Debian GNU/Linux"
            VERSION_ID="12"
            VERSION="12 (bookworm)"
            VERSION_CODENAME=bookworm
            ID=debian
            """;
    static final String AMAZON_2023 = """
            NAME="Amazon Linux"
            VERSION="2023"
            ID="amzn"
            ID_LIKE="fedora"
            VERSION_ID="2023"
            PRETTY_NAME="Amazon Linux 2023"
            """;

    static String dpkg(String name, String source, String version) {
        return "Package: " + name + "\nStatus: install ok installed\nArchitecture: amd64\n"
                + (source == null ? "" : "Source: " + source + "\n") + "Version: " + version + "\n"
                + "Description: " + name + "\n\n";
    }

    /** One row of the table: an image and the verdict every judge must reach, with the words saying why. */
    record Row(String name, String repo, boolean allowed, String why) {
    }

    final List<Row> rows = List.of(
            new Row("Debian 12, only a negligible finding (tar CVE-2005-2541)", "acme-dev/debian-negligible", true, null),
            new Row("Debian 12, a finding of unknown severity", "acme-dev/debian-unrated", false, "TEMP-0000000-5D1A0B"),
            new Row("log4j-core 2.14.1, critical CVE-2021-44228", "acme-dev/log4j-critical", false, "CVE-2021-44228"),
            new Row("log4j-core 2.17.1, no finding", "acme-dev/log4j-fixed", true, null),
            new Row("Amazon Linux 2023, OS cannot be assessed", "acme-dev/amazon-unassessed", false, "not assessed"));

    final Map<String, String> digests = new LinkedHashMap<>();

    CliRun as(String key, String... args) {
        return CliRun.as(url, key, args);
    }

    @BeforeAll
    void start() throws Exception {
        iam = new IamFixture(tmp.resolve("data"));
        url = iam.server.uri().toString();
        host = "127.0.0.1:" + iam.server.port();
        // The administrator imports into the running registry; each import returns once it is in use.
        for (String file : List.of("GHSA-jfh8-c2jp-5v3q.json", "debian-tracker.json")) {
            CliRun imported = as(iam.adminKey, "va", "db", "import", resource(file).toString());
            assertThat(imported.code()).as(imported.err()).isZero();
            assertThat(imported.out()).contains("added").contains("The registry now uses advisory database");
        }
        for (String policy : List.of(policy("prod", "high", false), policy("legacy", "high", true))) {
            Path file = Files.writeString(tmp.resolve("policy-" + policy.hashCode() + ".yaml"), policy);
            CliRun applied = as(iam.keys.get("manager"), "policy", "apply", "-f", file.toString());
            assertThat(applied.code()).as(applied.err()).isZero();
        }
        digests.put("acme-dev/debian-negligible", push("acme-dev/debian-negligible", Map.of(
                "etc/os-release", DEBIAN_12, "var/lib/dpkg/status", dpkg("tar", null, "1.34+dfsg-1.2+deb12u1"))));
        digests.put("acme-dev/debian-unrated", push("acme-dev/debian-unrated", Map.of(
                "etc/os-release", DEBIAN_12, "var/lib/dpkg/status", dpkg("login", "shadow (1:4.13+dfsg1-1)", "1:4.13+dfsg1-1"))));
        digests.put("acme-dev/log4j-critical", push("acme-dev/log4j-critical", Map.of(), "2.14.1"));
        digests.put("acme-dev/log4j-fixed", push("acme-dev/log4j-fixed", Map.of(), "2.17.1"));
        digests.put("acme-dev/amazon-unassessed", push("acme-dev/amazon-unassessed", Map.of(
                "etc/os-release", AMAZON_2023), "2.17.1"));
        assertThat(iam.server.scans().idle(60_000)).isTrue();
    }

    @AfterAll
    void stop() throws Exception {
        iam.close();
    }

    static Path resource(String name) throws Exception {
        return Path.of(JudgementsAgreeTest.class.getResource("/advisories/" + name).toURI());
    }

    String policy(String namespace, String severity, boolean allowUnassessed) {
        return """
                apiVersion: slipway.io/v1
                kind: ImagePolicy
                metadata:
                  name: vulnerabilities
                  namespace: %s
                spec:
                  repositories:
                    - name: "%s/acme-dev/*"
                      policy:
                        vulnerability:
                          severity: %s
                          allowUnassessed: %s
                """.formatted(namespace, host, severity, allowUnassessed);
    }

    /** Pushes an image of one layer made by tar from {@code files} (and a log4j-core jar when a version is given). */
    String push(String repo, Map<String, String> files, String... log4j) throws Exception {
        Path root = Files.createDirectories(tmp.resolve("rootfs-" + repo.replace('/', '-')));
        for (var f : files.entrySet()) {
            Files.createDirectories(root.resolve(f.getKey()).getParent());
            Files.writeString(root.resolve(f.getKey()), f.getValue());
        }
        for (String version : log4j) {
            Files.createDirectories(root.resolve("app/lib"));
            Files.write(root.resolve("app/lib/log4j-core-" + version + ".jar"),
                    io.slipway.registry.testing.Log4jJars.log4jCore(version));
        }
        Path tgz = tmp.resolve(repo.replace('/', '-') + ".tgz");
        Process p = new ProcessBuilder("tar", "-czf", tgz.toString(), "-C", root.toString(), ".")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor()).isZero();
        return pushLayer(repo, Files.readAllBytes(tgz));
    }

    String pushLayer(String repo, byte[] layer) throws Exception {
        String token = iam.token(iam.keys.get("ci"), "repository:" + repo + ":pull,push");
        byte[] config = VulnerabilityAdvisorTest.config();
        for (byte[] blob : List.of(config, layer)) {
            var r = iam.http.post("/v2/" + repo + "/blobs/uploads/?digest=" + Digest.sha256(blob), blob,
                    "Authorization", "Bearer " + token);
            assertThat(r.statusCode()).isEqualTo(201);
        }
        String manifest = "{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.OCI_MANIFEST + "\",\"config\":{"
                + "\"mediaType\":\"" + MediaTypes.OCI_CONFIG + "\",\"digest\":\"" + Digest.sha256(config) + "\",\"size\":"
                + config.length + "},\"layers\":[{\"mediaType\":\"" + MediaTypes.OCI_LAYER_TAR_GZIP + "\",\"digest\":\""
                + Digest.sha256(layer) + "\",\"size\":" + layer.length + "}]}";
        var r = iam.http.put("/v2/" + repo + "/manifests/1", manifest.getBytes(StandardCharsets.UTF_8),
                "Content-Type", MediaTypes.OCI_MANIFEST, "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(201);
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    // --- the four judges, each answering allowed or not and the text it gave

    record Answer(boolean allowed, String text) {
    }

    Answer gate(String repo, String... extra) {
        List<String> args = new ArrayList<>(List.of("gate", "--image", host + "/" + repo + "@" + digests.get(repo),
                "--severity", "high", "--timeout", "2m", "--interval", "100ms"));
        args.addAll(List.of(extra));
        CliRun r = as(iam.keys.get("reader"), args.toArray(String[]::new));
        assertThat(r.code()).as(r.out() + r.err()).isIn(0, Slipway.GATE_FAILED);
        return new Answer(r.code() == 0, r.out() + r.err());
    }

    Answer policyCheck(String repo, String namespace) {
        CliRun r = as(iam.keys.get("reader"), "policy", "check", host + "/" + repo + ":1", "--namespace", namespace);
        assertThat(r.code()).as(r.out() + r.err()).isIn(0, Slipway.POLICY_DENIED);
        return new Answer(r.code() == 0, r.out() + r.err());
    }

    Answer promote(String repo) throws Exception {
        String name = repo.substring(repo.indexOf('/') + 1);
        Path bare = DeployCommandTest.gitopsRepository(tmp.resolve("gitops-" + name), Map.of(
                "envs/dev/values.yaml", ImagePolicyTest.values(host + "/" + repo, "1@" + digests.get(repo)),
                "envs/prod/values.yaml", ImagePolicyTest.values(host + "/" + repo, "0")));
        CliRun r = as(iam.keys.get("manager"), "promote", "--gitops", bare.toUri().toString(), "--from",
                "envs/dev/values.yaml", "--to", "envs/prod/values.yaml", "--chart", "charts/app",
                "--policy-namespace", "prod");
        assertThat(r.code()).as(r.out() + r.err()).isIn(0, Slipway.POLICY_DENIED);
        return new Answer(r.code() == 0, r.out() + r.err());
    }

    Answer admission(String repo) throws Exception {
        String review = """
                {"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u",
                 "kind":{"group":"","version":"v1","kind":"Pod"},"namespace":"prod","operation":"CREATE",
                 "object":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"prod"},
                  "spec":{"containers":[{"name":"c","image":"%s/%s:1"}]}}}}
                """.formatted(host, repo);
        // The API server authenticates as acme's reader (a bearer API key in the webhook's kubeconfig),
        // the identity policy check runs as above.
        var r = iam.admission.post("/admission/v1/validate", review.getBytes(StandardCharsets.UTF_8),
                "Content-Type", "application/json", "Authorization", "Bearer " + iam.keys.get("reader"));
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode response = Credentials.JSON.readTree(r.body()).path("response");
        return new Answer(response.path("allowed").asBoolean(), response.toString());
    }

    @Test
    void everyJudgeGivesEveryImageTheSameVerdict() throws Exception {
        List<String> table = new ArrayList<>();
        table.add("| image | expected | gate | policy check | promote | admission |");
        table.add("|---|---|---|---|---|---|");
        List<String> disagreements = new ArrayList<>();
        for (Row row : rows) {
            Map<String, Answer> answers = new LinkedHashMap<>();
            answers.put("gate", gate(row.repo()));
            answers.put("policy check", policyCheck(row.repo(), "prod"));
            answers.put("promote", promote(row.repo()));
            answers.put("admission", admission(row.repo()));
            StringBuilder line = new StringBuilder("| " + row.name() + " | " + verdict(row.allowed()) + " |");
            for (var a : answers.entrySet()) {
                line.append(' ').append(verdict(a.getValue().allowed())).append(" |");
                if (a.getValue().allowed() != row.allowed()) {
                    disagreements.add(row.name() + ": " + a.getKey() + " said " + verdict(a.getValue().allowed())
                            + ": " + a.getValue().text());
                } else if (row.why() != null && !a.getValue().text().contains(row.why())) {
                    disagreements.add(row.name() + ": " + a.getKey() + " did not say " + row.why() + ": "
                            + a.getValue().text());
                }
            }
            table.add(line.toString());
        }
        System.out.println("Verdicts at threshold high:\n" + String.join("\n", table));
        assertThat(disagreements).isEmpty();
    }

    static String verdict(boolean allowed) {
        return allowed ? "ALLOW" : "DENY";
    }

    @Test
    void anUnassessedImagePassesOnlyWhereItIsAllowedExplicitly() throws Exception {
        String repo = "acme-dev/amazon-unassessed";
        Answer strict = gate(repo);
        assertThat(strict.allowed()).isFalse();
        assertThat(strict.text()).contains("Amazon Linux 2023").contains("--allow-unassessed");
        assertThat(gate(repo, "--allow-unassessed").allowed()).isTrue();
        Answer legacy = policyCheck(repo, "legacy");
        assertThat(legacy.allowed()).as(legacy.text()).isTrue();
        assertThat(legacy.text()).contains("unassessed allowed");
        // Its language packages were scanned all the same, and the status says what was not.
        CliRun va = as(iam.keys.get("reader"), "cr", "va", repo + ":1", "--output", "json");
        JsonNode report = Credentials.JSON.readTree(va.out());
        assertThat(report.path("status").asText()).isEqualTo("Unsupported OS");
        assertThat(report.path("assessed").asBoolean()).isFalse();
        assertThat(report.path("unassessed").asText()).contains("Amazon Linux 2023").contains("not supported");
    }

    @Test
    void anUnknownSeverityWordInAPolicyIsRefusedWithTheAcceptedWords() throws Exception {
        Path file = Files.writeString(tmp.resolve("bad-policy.yaml"), policy("prod", "severe", false));
        CliRun r = as(iam.keys.get("manager"), "policy", "apply", "-f", file.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("unknown severity \"severe\"")
                .contains("accepted: unknown, negligible, low, medium, high, critical");
        // The policy in force is the one applied before.
        assertThat(policyCheck("acme-dev/log4j-fixed", "prod").allowed()).isTrue();
    }

    /**
     * A stored policy the registry cannot read (written by an older version, or edited in the
     * database) denies every check, naming it: it may be the very policy that would have applied.
     */
    @Test
    void aStoredPolicyTheJudgeCannotReadDeniesNamingIt() throws Exception {
        String url = "jdbc:sqlite:" + tmp.resolve("data/metadata.db");
        String sql = "UPDATE image_policies SET document = replace(document, 'severity: high', 'severity: %s') "
                + "WHERE namespace = 'legacy'";
        try (var c = java.sql.DriverManager.getConnection(url); var st = c.createStatement()) {
            assertThat(st.executeUpdate(sql.formatted("severe"))).isEqualTo(1);
        }
        try {
            Answer check = policyCheck("acme-dev/log4j-fixed", "prod");
            assertThat(check.allowed()).isFalse();
            assertThat(check.text()).contains("ImagePolicy legacy/vulnerabilities cannot be read")
                    .contains("unknown severity \"severe\"");
            assertThat(admission("acme-dev/log4j-fixed").allowed()).isFalse();
        } finally {
            try (var c = java.sql.DriverManager.getConnection(url); var st = c.createStatement()) {
                st.executeUpdate(sql.replace("'severity: high', 'severity: %s'", "'severity: severe', 'severity: high'"));
            }
        }
        assertThat(policyCheck("acme-dev/log4j-fixed", "prod").allowed()).isTrue();
    }

    @Test
    void anAdvisoryImportedThroughTheRegistryIsWhatTheNextJudgementUses() throws Exception {
        String repo = "acme-dev/log4j-2-16";
        digests.put(repo, push(repo, Map.of(), "2.16.0"));
        assertThat(gate(repo).allowed()).isTrue(); // CVE-2021-44228 was fixed in 2.15.0

        // Only the administrator imports into the running registry.
        CliRun refused = as(iam.keys.get("manager"), "va", "db", "import", resource("GHSA-p6xc-xr62-6r2g.json").toString());
        assertThat(refused.code()).isEqualTo(Slipway.REFUSED);
        CliRun imported = as(iam.adminKey, "va", "db", "import", resource("GHSA-p6xc-xr62-6r2g.json").toString());
        assertThat(imported.code()).as(imported.err()).isZero();

        // No wait, no sweep: the stored report is of the old database and is not judged as current.
        Answer check = policyCheck(repo, "prod");
        assertThat(check.allowed()).isFalse();
        Answer gate = gate(repo);
        assertThat(gate.allowed()).as(gate.text()).isFalse();
        assertThat(gate.text()).contains("CVE-2021-45105");
        // An image pushed right after the import is judged against the new database too.
        String fresh = "acme-dev/log4j-2-16-again";
        digests.put(fresh, push(fresh, Map.of("etc/marker", "again"), "2.16.0"));
        Answer freshGate = gate(fresh);
        assertThat(freshGate.allowed()).as(freshGate.text()).isFalse();
        assertThat(freshGate.text()).contains("CVE-2021-45105");
        CliRun va = as(iam.keys.get("reader"), "cr", "va", fresh + ":1", "--output", "json");
        JsonNode report = Credentials.JSON.readTree(va.out());
        assertThat(report.path("databaseVersion").asText()).isEqualTo(report.path("currentDatabaseVersion").asText())
                .contains("osv=");
    }
}
