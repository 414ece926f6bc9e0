package io.slipway.registry.console;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.testing.IamFixture;
import io.slipway.testing.ToolBinaries;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The console's session and form rules over plain HTTP, against a real registry: the cookie's
 * attributes, the CSRF token on every form (sign-in included), sign-out, a removed key ending its
 * session, the sign-in throttle shared with {@code /token}, and the security headers of every page.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleHttpTest {
    private static final Pattern CSRF = Pattern.compile("name=\"csrf\" value=\"([^\"]+)\"");

    @TempDir
    static Path data;

    ConsoleFixture fixture;
    final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeAll
    void start() throws Exception {
        fixture = new ConsoleFixture(data);
    }

    @AfterAll
    void stop() throws Exception {
        fixture.close();
    }

    /** A browser's state: its cookies (name=value) and the page it last saw. */
    final class Browser {
        final java.util.Map<String, String> cookies = new java.util.LinkedHashMap<>();
        HttpResponse<String> last;

        HttpResponse<String> get(String path) throws Exception {
            return send(HttpRequest.newBuilder(URI.create(fixture.url(path))).GET());
        }

        HttpResponse<String> post(String path, String... fields) throws Exception {
            StringBuilder form = new StringBuilder();
            for (int i = 0; i + 1 < fields.length; i += 2) {
                form.append(form.length() == 0 ? "" : "&").append(fields[i]).append('=')
                        .append(URLEncoder.encode(fields[i + 1], StandardCharsets.UTF_8));
            }
            return send(HttpRequest.newBuilder(URI.create(fixture.url(path)))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form.toString())));
        }

        private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
            if (!cookies.isEmpty()) {
                b.header("Cookie", String.join("; ", cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                        .toList()));
            }
            last = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : last.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                String name = pair.substring(0, pair.indexOf('='));
                String value = pair.substring(pair.indexOf('=') + 1);
                if (value.isEmpty() || set.contains("Max-Age=0")) {
                    cookies.remove(name);
                } else {
                    cookies.put(name, value);
                }
            }
            return last;
        }

        String csrf() {
            Matcher m = CSRF.matcher(last.body());
            assertThat(m.find()).as(last.body()).isTrue();
            return m.group(1);
        }

        /** Signs in with an API key through the form, as a person would. */
        void signIn(String apiKey) throws Exception {
            get("/console/login");
            HttpResponse<String> r = post("/console/login", "csrf", csrf(), "apiKey", apiKey);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(303);
            assertThat(r.headers().firstValue("Location")).contains("/console/images");
        }
    }

    @Test
    void aSignInSetsAStrictHttpOnlyCookieAndSignOutEndsTheSession() throws Exception {
        Browser b = new Browser();
        assertThat(b.get("/console/images").statusCode()).isEqualTo(303);
        assertThat(b.last.headers().firstValue("Location")).contains("/console/login");
        b.get("/console/login");
        HttpResponse<String> r = b.post("/console/login", "csrf", b.csrf(), "apiKey", fixture.iam.keys.get("manager"));
        assertThat(r.statusCode()).isEqualTo(303);
        String cookie = r.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith("slipway_console="))
                .findFirst().orElseThrow();
        assertThat(cookie).contains("HttpOnly").containsIgnoringCase("SameSite=Strict").contains("Path=/console")
                .contains("Max-Age=28800").doesNotContain("Secure"); // plain HTTP here; Secure under TLS
        HttpResponse<String> images = b.get("/console/images");
        assertThat(images.statusCode()).isEqualTo(200);
        assertThat(images.body()).contains("acme-dev/web").contains("user manager").doesNotContain("globex-app");
        b.post("/console/logout", "csrf", b.csrf());
        assertThat(b.last.statusCode()).isEqualTo(303);
        // The old cookie is worthless now, even presented again.
        Browser replay = new Browser();
        replay.cookies.put("slipway_console", cookie.split(";")[0].substring("slipway_console=".length()));
        assertThat(replay.get("/console/images").statusCode()).isEqualTo(303);
    }

    @Test
    void everyFormNeedsItsCsrfTokenSignInIncluded() throws Exception {
        Browser b = new Browser();
        b.get("/console/login");
        assertThat(b.post("/console/login", "apiKey", fixture.iam.keys.get("manager")).statusCode()).isEqualTo(403);
        assertThat(b.post("/console/login", "csrf", "forged", "apiKey", fixture.iam.keys.get("manager")).statusCode())
                .isEqualTo(403);
        b.signIn(fixture.iam.keys.get("manager"));
        String ref = "acme-dev/web@" + fixture.web;
        List<List<String>> forms = List.of(List.of(), List.of("csrf", "not-the-token"));
        for (List<String> form : forms) {
            List<String> all = new java.util.ArrayList<>(form);
            all.addAll(List.of("ref", ref, "scope", "acme-dev/web", "issueType", "cve", "issueId", "CVE-2099-1111",
                    "reason", "forged"));
            String[] fields = all.toArray(String[]::new);
            HttpResponse<String> r = b.post("/console/exemptions", fields);
            assertThat(r.statusCode()).as(form.toString()).isEqualTo(403);
            assertThat(r.body()).contains("security token");
        }
        assertThat(fixture.iam.api(fixture.iam.keys.get("manager"), "GET", "/api/v1/exemptions", null, 200).toString())
                .doesNotContain("CVE-2099-1111");
        assertThat(b.post("/console/logout").statusCode()).isEqualTo(403); // sign-out is a form too
    }

    @Test
    void removingTheKeyEndsItsSession() throws Exception {
        String manager = fixture.iam.keys.get("manager");
        var created = fixture.iam.api(manager, "POST", "/api/v1/api-keys", "{\"serviceId\":\"ci\"}", 201);
        Browser b = new Browser();
        b.signIn(created.path("apiKey").asText());
        assertThat(b.get("/console/images").statusCode()).isEqualTo(200);
        fixture.iam.api(manager, "DELETE", "/api/v1/api-keys/" + created.path("id").asText(), null, 200);
        assertThat(b.get("/console/images").statusCode()).isEqualTo(303);
    }

    @Test
    void signInsAreThrottledLikeTheTokenEndpoint() throws Exception {
        String manager = fixture.iam.keys.get("manager");
        fixture.iam.api(manager, "POST", "/api/v1/users", "{\"name\":\"guessed\",\"password\":\"the real one\"}", 201);
        Browser b = new Browser();
        int throttled = -1;
        for (int i = 0; i < 12 && throttled < 0; i++) {
            b.get("/console/login");
            HttpResponse<String> r = b.post("/console/login", "csrf", b.csrf(), "user", "guessed", "password", "guess " + i);
            if (r.statusCode() == 429) {
                throttled = i;
                assertThat(r.headers().firstValue("Retry-After")).isPresent();
            } else {
                assertThat(r.statusCode()).isEqualTo(401);
            }
        }
        assertThat(throttled).as("attempt answered 429").isGreaterThanOrEqualTo(5);
        // the same principal is throttled on /token too: one throttle for every sign-in
        HttpResponse<byte[]> token = fixture.iam.http.get("/token?service=slipway", "Authorization",
                IamFixture.basic("guessed", "the real one"));
        assertThat(token.statusCode()).isEqualTo(429);
    }

    @Test
    void everyPageForbidsOtherOriginsAndInlineCode() throws Exception {
        Browser b = new Browser();
        b.signIn(fixture.iam.adminKey);
        String ref = URLEncoder.encode("acme-dev/web@" + fixture.web, StandardCharsets.UTF_8);
        for (String page : List.of("/console/login", "/console/images", "/console/image?ref=" + ref,
                "/console/issues?ref=" + ref, "/console/namespaces", "/console/access", "/console/image-policies",
                "/console/storage", "/console/audit")) {
            HttpResponse<String> r = b.get(page);
            assertThat(r.statusCode()).as(page).isEqualTo(200);
            assertThat(r.headers().firstValue("Content-Security-Policy")).as(page).hasValueSatisfying(csp ->
                    assertThat(csp).startsWith("default-src 'self'").contains("script-src 'self'")
                            .doesNotContain("unsafe").doesNotContain("http"));
            assertThat(r.body()).as(page).doesNotContain(" style=").doesNotContain("<style")
                    .doesNotContainPattern("<script(?![^>]*\\bsrc=\"/console/assets/)").doesNotContain("http://")
                    .doesNotContain("https://").doesNotContain(" onclick");
        }
        HttpResponse<String> htmx = b.get("/console/assets/htmx.min.js");
        assertThat(htmx.statusCode()).isEqualTo(200);
        assertThat(htmx.body()).contains("htmx");
    }

    /**
     * A real cosign signature and an oras-attached SBOM are badges of the image they belong to, not
     * rows; the signature shows "Signed by release" once the account stores the key "release" (the
     * same check an image policy runs), and is unverified before. Another account sees none of it.
     */
    @Test
    void signaturesAndReferrersAreBadgesOfTheirImage() throws Exception {
        Path cosign = ToolBinaries.require("cosign");
        Path oras = ToolBinaries.require("oras");
        String manager = fixture.iam.keys.get("manager");
        String host = "127.0.0.1:" + fixture.iam.server.port();
        Path work = java.nio.file.Files.createDirectories(data.resolve("signing"));
        java.nio.file.Files.writeString(work.resolve("config.json"), "{\"auths\":{\"" + host + "\":{\"auth\":\""
                + java.util.Base64.getEncoder().encodeToString(("iamapikey:" + manager).getBytes(StandardCharsets.UTF_8))
                + "\"}}}");
        String tools = fixture.iam.api(manager, "GET", "/api/v1/images/inspect?image=acme-dev/tools:2.0", null, 200)
                .path("digest").asText();
        String byDigest = host + "/acme-dev/tools@" + tools;
        run(work, cosign.toString(), "generate-key-pair");
        run(work, cosign.toString(), "sign", "--key", "cosign.key", "--tlog-upload=false", "--allow-http-registry=true",
                "--yes", byDigest);
        java.nio.file.Files.writeString(work.resolve("sbom.spdx.json"), "{\"spdxVersion\":\"SPDX-2.3\"}");
        run(work, oras.toString(), "attach", "--plain-http", "--artifact-type", "application/spdx+json",
                "-u", "iamapikey", "-p", manager, byDigest, "sbom.spdx.json");

        Browser b = new Browser();
        b.signIn(manager);
        String images = b.get("/console/images").body();
        String toolsRow = row(images, "acme-dev/tools");
        assertThat(toolsRow).contains("Signed (unverified)").contains("SBOM");
        // neither the signature (tag sha256-….sig) nor the SBOM is a row of its own
        assertThat(images).doesNotContain(".sig<").doesNotContain("untagged");
        assertThat(java.util.Arrays.stream(images.split("<tr>")).filter(r -> r.contains("/acme-dev/tools</a>")))
                .as(images).hasSize(1);

        fixture.iam.api(manager, "POST", "/api/v1/signer-keys", new com.fasterxml.jackson.databind.ObjectMapper()
                .createObjectNode().put("name", "release").put("publicKey", java.nio.file.Files.readString(
                work.resolve("cosign.pub"))).toString(), 201);
        images = b.get("/console/images").body();
        assertThat(row(images, "acme-dev/tools")).contains("Signed by release").doesNotContain("unverified");
        assertThat(row(images, "acme-dev/web")).doesNotContain("Signed");
        String details = b.get("/console/image?ref=" + URLEncoder.encode("acme-dev/tools@" + tools,
                StandardCharsets.UTF_8)).body();
        assertThat(details).contains("<td>cosign</td>").contains(">release</span>").contains("application/spdx+json");

        // globex sees no row, no badge, and no details of it
        Browser other = new Browser();
        other.signIn(fixture.iam.keys.get("globex"));
        assertThat(other.get("/console/images").body()).doesNotContain("acme-dev").doesNotContain("Signed by");
        assertThat(other.get("/console/image?ref=" + URLEncoder.encode("acme-dev/tools@" + tools,
                StandardCharsets.UTF_8)).statusCode()).isEqualTo(404);
    }

    @Test
    void theStoragePageListsTheTrashAndRestoresFromItForAWriterOnly() throws Exception {
        String manager = fixture.iam.keys.get("manager");
        var digest = fixture.push(manager, "acme-dev/old", ConsoleFixture.npmLayer("old", "1.0.0"), "1");
        fixture.iam.api(manager, "DELETE", "/api/v1/images?image=acme-dev/old:1", null, 200);
        String ref = "acme-dev/old@" + digest;

        Browser reader = new Browser();
        reader.signIn(fixture.iam.keys.get("reader"));
        String page = reader.get("/console/storage").body();
        assertThat(page).contains("Storage used").contains("acme-dev/old").contains("value=\"" + ref + "\"");
        HttpResponse<String> refused = reader.post("/console/trash/restore", "csrf", reader.csrf(), "image", ref);
        assertThat(refused.statusCode()).isEqualTo(403);
        Browser other = new Browser();
        other.signIn(fixture.iam.keys.get("globex"));
        assertThat(other.get("/console/storage").body()).doesNotContain("acme-dev");
        assertThat(other.post("/console/trash/restore", "csrf", other.csrf(), "image", ref).statusCode()).isEqualTo(404);

        Browser b = new Browser();
        b.signIn(manager);
        b.get("/console/storage");
        HttpResponse<String> restored = b.post("/console/trash/restore", "csrf", b.csrf(), "image", ref);
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(303);
        assertThat(b.get("/console/storage?done=restored").body()).contains("restored from the trash")
                .contains("The trash is empty");
        assertThat(fixture.iam.api(manager, "GET", "/api/v1/images/inspect?image=acme-dev/old:1", null, 200)
                .path("digest").asText()).isEqualTo(digest.toString());
    }

    /** The table row of the images page that names {@code repository}. */
    private static String row(String page, String repository) {
        for (String row : page.split("<tr>")) {
            if (row.contains("/" + repository + "</a>")) {
                return row.substring(0, row.indexOf("</tr>"));
            }
        }
        throw new AssertionError("no row of " + repository + " in " + page);
    }

    private static String run(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("COSIGN_PASSWORD", "");
        pb.environment().put("DOCKER_CONFIG", dir.toString());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(String.join(" ", command) + "\n" + out).isZero();
        return out;
    }
}
