package io.slipway.registry.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.testing.RequiredTools;
import io.slipway.testing.ToolBinaries;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The Registry Console in a real browser: Debian's Chromium, headless, driven by Selenium through
 * Debian's chromium-driver, against a real registry with real pushes and scans. A person's walk —
 * sign in with a key, find an image by search, see its two tags on one row, open its issues, exempt
 * a CVE as a Manager and see the status change, fail to as a Reader, see nothing of another
 * account, have a form without its CSRF token refused, sign out — with axe-core (the npm package,
 * fetched by {@code .ci/run}) run on every page: no serious or critical violation. A screenshot of
 * every page is written to {@code target/console-screenshots/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConsoleBrowserTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    @TempDir
    static Path data;

    ConsoleFixture fixture;
    WebDriver browser;
    String axe;
    int shots;
    final List<String> accessibility = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        Path chromium = ToolBinaries.require("chromium");
        Path driver = ToolBinaries.require("chromedriver");
        axe = Files.readString(axeCore());
        fixture = new ConsoleFixture(data);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--window-size=1280,1000", "--lang=en");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(driver.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
        Files.createDirectories(SCREENSHOTS);
        try (var old = Files.list(SCREENSHOTS)) { // this run's pages only
            for (Path f : old.toList()) {
                Files.delete(f);
            }
        }
    }

    /** axe.min.js: {@code SLIPWAY_AXE_CORE}, else {@code .ci/tools/axe-core/package} of the repository. */
    static Path axeCore() {
        String env = System.getenv("SLIPWAY_AXE_CORE");
        if (env != null && Files.isRegularFile(Path.of(env))) {
            return Path.of(env);
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".ci/tools/axe-core/package/axe.min.js");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw RequiredTools.missing("axe-core is neither at $SLIPWAY_AXE_CORE nor in .ci/tools/axe-core "
                + "(.ci/run fetches it: npm pack axe-core@4.10.3)");
    }

    @AfterAll
    void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void aManagerFindsAnImageAndExemptsACveAReaderCannotAndNothingOfAnotherAccountShows() throws Exception {
        String manager = fixture.iam.keys.get("manager");
        String ref = "acme-dev/web@" + fixture.web;

        // Signed out, the console sends you to sign in.
        open("/console/");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");
        page("login");
        signIn(manager);

        // Find the image by search: one row, both tags on it.
        page("images");
        WebElement search = browser.findElement(By.id("q"));
        search.sendKeys("web");
        waitUntil(() -> browser.findElement(By.cssSelector("p.summary")).getText().equals("Images 1–1 of 1"));
        assertThat(browser.getCurrentUrl()).contains("q=web"); // htmx pushed the filter into the address
        List<WebElement> rows = browser.findElements(By.cssSelector("table.images tbody tr"));
        assertThat(rows).hasSize(1);
        WebElement row = rows.get(0);
        assertThat(row.findElements(By.cssSelector("li.tag")).stream().map(WebElement::getText))
                .containsExactlyInAnyOrder("1.0", "latest");
        assertThat(row.getText()).contains(fixture.iam.server.uri().getAuthority() + "/acme-dev/web")
                .contains(fixture.web.toString().substring(7, 19)).contains("acme-dev");
        String before = fixture.webReport.path("status").asText();
        WebElement status = row.findElement(By.cssSelector("a.status"));
        assertThat(status.getText()).isEqualTo(before).endsWith("Issues");
        page("images-search");

        // The image's details, then its issues.
        row.findElement(By.cssSelector("td a")).click();
        // a click that navigates returns before the new page is there: wait for it, not the one it left
        waitUntil(() -> browser.findElement(By.tagName("h1")).getText().contains("acme-dev/web"));
        assertThat(browser.getPageSource()).contains("SECRET_TOKEN").doesNotContain("hidden-value").contains("8080/tcp");
        page("image-details");
        browser.navigate().back();
        waitUntil(() -> !browser.findElements(By.cssSelector("table.images a.status")).isEmpty());
        browser.findElement(By.cssSelector("table.images a.status")).click();
        waitUntil(() -> browser.findElement(By.tagName("h1")).getText().equals("Security issues"));
        assertThat(browser.findElement(By.id("vulnerabilities")).getText()).contains("CVE-2099-1111")
                .contains("CVE-2099-2222").contains("console-demo").contains("1.0.0");
        page("issues");

        // Exempt CVE-2099-1111 for the repository as its Manager: the status drops by one.
        browser.findElement(By.id("issueId")).sendKeys("CVE-2099-1111");
        new Select(browser.findElement(By.id("scope"))).selectByValue("acme-dev/web");
        browser.findElement(By.id("reason")).sendKeys("not reachable in this service");
        browser.findElement(By.cssSelector("#exempt-form button")).click();
        // the form posts and is redirected: wait for the page it lands on, not the one it left
        waitUntil(() -> !browser.findElements(By.cssSelector("p.flash")).isEmpty());
        assertThat(browser.findElement(By.cssSelector("p.flash")).getText()).contains("exemption was added");
        String after = browser.findElement(By.id("security-status")).getText();
        assertThat(count(after)).isEqualTo(count(before) - 1);
        assertThat(browser.findElement(By.id("vulnerabilities")).getText()).contains("Exempt");
        assertThat(browser.findElement(By.id("exemptions")).getText()).contains("CVE-2099-1111")
                .contains("not reachable in this service");
        page("issues-exempted");

        // A form without its CSRF token is refused (sent by the page itself, as a forged form would be).
        JsonNode forged = post("/console/exemptions", "ref=" + q(ref) + "&scope=acme-dev%2Fweb&issueType=cve"
                + "&issueId=CVE-2099-2222&reason=forged");
        assertThat(forged.path("status").asInt()).isEqualTo(403);
        assertThat(forged.path("body").asText()).contains("security token");
        assertThat(fixture.iam.api(manager, "GET", "/api/v1/exemptions", null, 200).toString())
                .doesNotContain("CVE-2099-2222");

        // An image with more vulnerabilities than a page holds: pages of 100 in severity order, turned by
        // plain links (no script), while the chart counts them all on every page.
        Digest many = fixture.push(manager, "acme-dev/many", ConsoleFixture.pagingLayer(), "1.0");
        fixture.awaitScan(manager, "acme-dev/many:1.0");
        open("/console/issues?ref=" + q("acme-dev/many@" + many));
        int findings = ConsoleFixture.PAGING_FINDINGS;
        assertThat(browser.findElement(By.id("vulnerabilities-summary")).getText())
                .isEqualTo("Vulnerabilities 1–100 of " + findings);
        List<String> first = severities();
        assertThat(first).hasSize(100).startsWith("critical").isSortedAccordingTo(java.util.Comparator.comparingInt(
                ConsolePages.SEVERITIES::indexOf));
        String chart = browser.findElement(By.id("chart-desc")).getAttribute("textContent");
        assertThat(browser.findElements(By.cssSelector("nav.pager a[rel=prev]"))).isEmpty();
        page("issues-paged");
        browser.findElement(By.cssSelector("nav.pager a[rel=next]")).click();
        waitUntil(() -> browser.findElement(By.id("vulnerabilities-summary")).getText()
                .equals("Vulnerabilities 101–" + findings + " of " + findings));
        assertThat(browser.getCurrentUrl()).contains("page=2");
        List<String> second = severities();
        assertThat(second).hasSize(findings - 100).containsOnly("low");
        assertThat(browser.findElement(By.id("chart-desc")).getAttribute("textContent")).isEqualTo(chart);
        assertThat(browser.findElement(By.cssSelector("nav.pager [aria-current=page]")).getText()).isEqualTo("2");
        assertThat(browser.findElements(By.cssSelector("nav.pager a[rel=next]"))).isEmpty();
        page("issues-page-2");
        // a page past the end shows the last one
        open("/console/issues?page=99&ref=" + q("acme-dev/many@" + many));
        assertThat(browser.findElement(By.id("vulnerabilities-summary")).getText())
                .isEqualTo("Vulnerabilities 101–" + findings + " of " + findings);
        browser.findElement(By.cssSelector("nav.pager a[rel=prev]")).click();
        waitUntil(() -> browser.findElement(By.id("vulnerabilities-summary")).getText().startsWith("Vulnerabilities 1–100"));

        // The other pages, each checked by axe and photographed.
        for (String[] p : new String[][] {{"/console/namespaces", "namespaces"}, {"/console/access", "access"},
                {"/console/image-policies", "image-policies"}, {"/console/storage", "storage"}}) {
            open(p[0]);
            assertThat(browser.findElement(By.tagName("h1")).getText()).isNotBlank();
            page(p[1]);
        }
        assertThat(browser.findElement(By.tagName("main")).getText()).doesNotContain("globex");
        // A Manager creates a key for the CI service ID on the Access page: shown once, and it works.
        open("/console/access");
        new Select(browser.findElement(By.id("key-kind"))).selectByValue("service");
        browser.findElement(By.id("key-name")).sendKeys("ci");
        browser.findElement(By.id("key-description")).sendKeys("from the console", Keys.ENTER);
        waitUntil(() -> !browser.findElements(By.cssSelector("#created-key code")).isEmpty());
        String newKey = browser.findElement(By.cssSelector("#created-key code")).getText();
        assertThat(newKey).startsWith("slw_");
        assertThat(fixture.iam.api(newKey, "GET", "/api/v1/whoami", null, 200).path("name").asText()).isEqualTo("ci");
        page("access-key-created");
        // A narrow window (a phone) still shows the list.
        browser.manage().window().setSize(new Dimension(400, 900));
        open("/console/images");
        page("images-narrow");
        browser.manage().window().setSize(new Dimension(1280, 1000));

        // Sign out: the console is closed again.
        browser.findElement(By.cssSelector("form.who button")).click();
        waitUntil(() -> browser.getCurrentUrl().contains("/console/login"));
        assertThat(browser.getCurrentUrl()).contains("/console/login");
        open("/console/images");
        assertThat(browser.getCurrentUrl()).endsWith("/console/login");

        // A Reader sees the issues but no exemption form, and a crafted one (with the token) is refused.
        signIn(fixture.iam.keys.get("reader"));
        open("/console/issues?ref=" + q(ref));
        assertThat(browser.findElements(By.id("exempt-form"))).isEmpty();
        assertThat(browser.getPageSource()).contains("Only a Manager");
        String csrf = browser.findElement(By.cssSelector("form.who input[name=csrf]")).getAttribute("value");
        JsonNode refused = post("/console/exemptions", "csrf=" + q(csrf) + "&ref=" + q(ref)
                + "&scope=acme-dev%2Fweb&issueType=cve&issueId=CVE-2099-2222&reason=reader");
        assertThat(refused.path("status").asInt()).isEqualTo(403);
        assertThat(refused.path("body").asText()).contains("only a Manager");
        open("/console/issues?ref=" + q(ref));
        assertThat(browser.findElement(By.id("security-status")).getText()).isEqualTo(after);
        page("issues-reader");
        signOut();

        // Another account's Manager: nothing of acme in the list, and acme's image is as missing as a made-up one.
        signIn(fixture.iam.keys.get("globex"));
        assertThat(browser.findElement(By.tagName("main")).getText()).contains("globex-app/secret")
                .doesNotContain("acme");
        open("/console/issues?ref=" + q(ref));
        String hidden = browser.findElement(By.tagName("main")).getText();
        page("not-found");
        open("/console/issues?ref=" + q("zzzz-dev/web@" + fixture.web));
        String missing = browser.findElement(By.tagName("main")).getText();
        assertThat(hidden).contains("Not found").isEqualTo(missing.replace("zzzz-dev", "acme-dev"));
        signOut();

        // The administrator's audit log shows the console's actions.
        signIn(fixture.iam.adminKey);
        open("/console/audit?action=console");
        assertThat(browser.findElement(By.id("audit")).getText()).contains("console.post exemptions")
                .contains("console.login");
        page("audit");
        signOut();

        assertThat(accessibility).as("serious or critical accessibility violations").isEmpty();
    }

    /** The severity of each vulnerability the page shows, in order. */
    List<String> severities() {
        return browser.findElements(By.cssSelector("#vulnerabilities tbody tr .sev")).stream().map(WebElement::getText)
                .toList();
    }

    void open(String path) {
        browser.get(fixture.url(path));
    }

    void signIn(String apiKey) {
        open("/console/login");
        browser.findElement(By.id("apiKey")).sendKeys(apiKey, Keys.ENTER);
        waitUntil(() -> browser.getCurrentUrl().contains("/console/images") && loaded());
    }

    /** The address changes when a navigation commits, before the new page has finished loading. */
    boolean loaded() {
        return "complete".equals(((org.openqa.selenium.JavascriptExecutor) browser)
                .executeScript("return document.readyState"));
    }

    void signOut() {
        browser.findElement(By.cssSelector("form.who button")).click();
        waitUntil(() -> browser.getCurrentUrl().contains("/console/login") && loaded());
    }

    /** POSTs a form from the page (same origin, with its cookie): status and body. */
    JsonNode post(String path, String form) throws Exception {
        Object answer = ((JavascriptExecutor) browser).executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                fetch(arguments[0], {method: 'POST', headers: {'Content-Type': 'application/x-www-form-urlencoded'},
                    body: arguments[1], redirect: 'manual'})
                  .then(r => r.text().then(t => done(JSON.stringify({status: r.status, body: t}))))
                  .catch(e => done(JSON.stringify({status: -1, body: String(e)})));
                """, path, form);
        return JSON.readTree((String) answer);
    }

    /** Runs axe-core on the page (serious and critical violations are collected) and takes a screenshot. */
    void page(String name) throws Exception {
        JavascriptExecutor js = (JavascriptExecutor) browser;
        js.executeScript(axe);
        Object result = js.executeAsyncScript("""
                const done = arguments[arguments.length - 1];
                axe.run(document, {resultTypes: ['violations']})
                  .then(r => done(JSON.stringify(r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                      nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 3)})))))
                  .catch(e => done(JSON.stringify([{id: 'axe-error', impact: 'critical', help: String(e)}])));
                """);
        for (JsonNode v : JSON.readTree((String) result)) {
            String impact = v.path("impact").asText();
            if (impact.equals("serious") || impact.equals("critical")) {
                accessibility.add(name + ": " + v);
            } else {
                System.out.println("console a11y (" + impact + ") on " + name + ": " + v);
            }
        }
        Path shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath();
        Files.copy(shot, SCREENSHOTS.resolve(String.format("%02d-%s.png", ++shots, name)),
                StandardCopyOption.REPLACE_EXISTING);
    }

    void waitUntil(java.util.function.BooleanSupplier condition) {
        // htmx may swap the region between finding an element and reading it: look again then
        new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(d -> condition.getAsBoolean());
    }

    static long count(String status) {
        return status.equals("No Issues") ? 0 : Long.parseLong(status.split(" ")[0]);
    }

    static String q(String s) {
        return java.net.URLEncoder.encode(s, java.nio.charset.StandardCharsets.UTF_8);
    }
}
