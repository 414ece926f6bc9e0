package io.slipway.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.marcnuri.helm.Helm;
import io.slipway.registry.testing.IamFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real clients against the token-authenticated registry, with the credentials a pipeline would
 * hold: Jib pushing with a CI service ID's API key, skopeo with {@code --creds}, helm after
 * {@code registry login}; and each refused where the policies say so.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AuthenticatedClientsTest {
    @TempDir
    static Path tmp;

    IamFixture iam;
    String registry;

    @BeforeAll
    void start() throws Exception {
        // Jib sends credentials over plain HTTP only when told to (the registry is on loopback).
        System.setProperty("sendCredentialsOverHttp", "true");
        iam = new IamFixture(tmp.resolve("data"));
        registry = "127.0.0.1:" + iam.server.port();
    }

    @AfterAll
    void stop() throws Exception {
        iam.close();
    }

    JibContainer jibPush(String image, String apiKey) throws Exception {
        Path file = Files.writeString(Files.createDirectories(tmp.resolve("files")).resolve("hello.txt"), "hello\n");
        return Jib.fromScratch()
                .addFileEntriesLayer(FileEntriesLayer.builder()
                        .addEntry(file, AbsoluteUnixPath.get("/hello.txt")).build())
                .containerize(Containerizer.to(RegistryImage.named(image).addCredential("iamapikey", apiKey))
                        .setAllowInsecureRegistries(true)
                        .setToolName("slipway-test"));
    }

    @Test
    void jibPushesWithAServiceIdsApiKeyAndIsRefusedWithoutPushRights() throws Exception {
        JibContainer pushed = jibPush(registry + "/acme-dev/jib:1", iam.keys.get("ci"));
        assertThat(pushed.isImagePushed()).isTrue();
        String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/jib:pull");
        var r = iam.http.get("/v2/acme-dev/jib/manifests/1", "Authorization", "Bearer " + token);
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Docker-Content-Digest")).hasValue(pushed.getDigest().toString());

        // The reader may pull but not push; the CI service ID may not push to production.
        assertThatThrownBy(() -> jibPush(registry + "/acme-dev/jib:2", iam.keys.get("reader")))
                .hasStackTraceContaining("nauthorized");
        assertThatThrownBy(() -> jibPush(registry + "/acme-prod/app:1", iam.keys.get("ci")))
                .hasStackTraceContaining("nauthorized");
    }

    @Test
    void skopeoCopiesWithCredsAndOnlyTheDeployerReachesProduction() throws Exception {
        jibPush(registry + "/acme-dev/skopeo:1", iam.keys.get("ci"));
        SkopeoRunner skopeo = new SkopeoRunner(tmp.resolve("skopeo"));
        String source = "docker://" + registry + "/acme-dev/skopeo:1";
        skopeo.ok("inspect", "--tls-verify=false", "--creds", "iamapikey:" + iam.keys.get("reader"), source);
        ExternalTools.Result anonymous = skopeo.run(List.of("inspect", "--tls-verify=false", source));
        assertThat(anonymous.exitCode()).as(anonymous.describe()).isNotZero();

        ExternalTools.Result ci = skopeo.run(List.of("copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                "--src-creds", "iamapikey:" + iam.keys.get("ci"), "--dest-creds", "iamapikey:" + iam.keys.get("ci"),
                source, "docker://" + registry + "/acme-prod/app:1"));
        assertThat(ci.exitCode()).as(ci.describe()).isNotZero();
        skopeo.ok("copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                "--src-creds", "iamapikey:" + iam.keys.get("ci"), "--dest-creds", "iamapikey:" + iam.keys.get("deployer"),
                source, "docker://" + registry + "/acme-prod/app:1");
        assertThat(skopeo.ok("list-tags", "--tls-verify=false", "--creds", "writer:correct horse battery",
                "docker://" + registry + "/acme-prod/app").stdout()).contains("\"1\"");
        // The deployer may push only to acme-prod/app, not elsewhere in the namespace.
        ExternalTools.Result other = skopeo.run(List.of("copy", "--src-tls-verify=false", "--dest-tls-verify=false",
                "--src-creds", "iamapikey:" + iam.keys.get("ci"), "--dest-creds", "iamapikey:" + iam.keys.get("deployer"),
                source, "docker://" + registry + "/acme-prod/other:1"));
        assertThat(other.exitCode()).as(other.describe()).isNotZero();
    }

    @Test
    void helmLogsInAndPushesAChart() throws Exception {
        Path charts = Files.createDirectories(tmp.resolve("charts"));
        Helm chart = Helm.create().withName("svc").withDir(charts).call();
        Path packages = Files.createDirectories(tmp.resolve("packages"));
        chart.packageIt().withDestination(packages).call();
        Path tgz;
        try (Stream<Path> list = Files.list(packages)) {
            tgz = list.filter(p -> p.toString().endsWith(".tgz")).findFirst().orElseThrow();
        }
        Helm.registry().login().withHost(registry).withUsername("iamapikey").withPassword(iam.keys.get("ci"))
                .plainHttp().call();
        try {
            String out = Helm.push().withChart(tgz).withRemote(java.net.URI.create("oci://" + registry + "/acme-dev"))
                    .plainHttp().call();
            assertThat(out).contains("acme-dev/svc");
        } finally {
            Helm.registry().logout().withHost(registry).call();
        }
        String token = iam.token(iam.keys.get("reader"), "repository:acme-dev/svc:pull");
        var r = iam.http.get("/v2/acme-dev/svc/tags/list", "Authorization", "Bearer " + token);
        assertThat(new String(r.body())).contains("0.1.0");
    }
}
