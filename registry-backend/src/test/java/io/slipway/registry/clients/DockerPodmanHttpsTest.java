package io.slipway.registry.clients;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.registry.RegistryServer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.testing.TestTls;
import io.slipway.testing.RequiredTools;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docker and podman push to and pull from the registry's HTTPS listener with its CA trusted the way each is told
 * to trust a registry — docker: {@code /etc/docker/certs.d/HOST:PORT/ca.crt}; podman: {@code --cert-dir} — and with
 * certificate verification on: each is first refused for the unknown CA, so the trust is what makes it work.
 *
 * <p>The registry listens on this machine's own non-loopback address, not 127.0.0.1, because dockerd treats
 * 127.0.0.0/8 as an insecure registry and would skip verification there. The engine is the one {@code DOCKER_HOST}
 * names ({@code .ci/run} starts a private dockerd); podman keeps its images in a folder of the test.
 */
class DockerPodmanHttpsTest {
    private static final Duration TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path tmp;

    /** An up, non-loopback IPv4 address of this machine, or null. */
    static String ownAddress() throws IOException {
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) {
                continue;
            }
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                    return a.getHostAddress();
                }
            }
        }
        return null;
    }

    private RegistryServer start(String address, TestTls tls) throws Exception {
        RegistryConfig c = RegistryConfig.defaults().withAuth("none").withListen(address + ":0")
                .withDataDir(tmp.resolve("data"));
        return RegistryServer.start(c.withListeners(c.listeners().withTls(tls.tlsFiles())));
    }

    /** A one-file root file system as a tarball, for {@code docker import} and {@code podman import}. */
    private Path rootfs(String text) throws IOException {
        Path tar = tmp.resolve("rootfs-" + text + ".tar");
        Files.write(tar, Tar.write(List.of(Tar.Entry.file("hello.txt", 0644, (text + "\n").getBytes(StandardCharsets.UTF_8)))));
        return tar;
    }

    private String manifestDigest(TestTls tls, RegistryServer server, String repository, String tag) throws Exception {
        HttpResponse<Void> r = tls.client(HttpClient.Version.HTTP_1_1).send(HttpRequest.newBuilder(server.uri().resolve("/v2/" + repository + "/manifests/" + tag))
                .header("Accept", "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        assertThat(r.statusCode()).as(repository + ":" + tag).isEqualTo(200);
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    @Test
    void dockerPushesAndPullsWithTheCaInCertsD() throws Exception {
        Path docker = ExternalTools.require("docker");
        String host = System.getenv("DOCKER_HOST");
        RequiredTools.require(host != null && !host.isBlank(), "no Docker engine: DOCKER_HOST is not set (.ci/run starts a private dockerd)");
        String address = ownAddress();
        RequiredTools.require(address != null, "no non-loopback IPv4 address on this machine (dockerd skips TLS checks on loopback)");
        Path certsD = Path.of("/etc/docker/certs.d");
        RequiredTools.require(Files.isWritable(certsD.getParent()) || Files.isWritable(certsD),
                "/etc/docker/certs.d is not writable: docker reads a registry's CA only from there");
        TestTls tls = TestTls.create(tmp.resolve("tls"), List.of(address));
        Map<String, String> env = Map.of("DOCKER_HOST", host, "DOCKER_CONFIG", Files.createDirectories(tmp.resolve("docker-config")).toString());
        try (RegistryServer server = start(address, tls)) {
            String registry = address + ":" + server.port();
            String image = registry + "/team/docker:v1";
            Path trustDir = certsD.resolve(registry);
            ExternalTools.Result imported = docker(docker, env, "import", rootfs("docker").toString(), image);
            assertThat(imported.exitCode()).as(imported.describe()).isZero();
            try {
                ExternalTools.Result untrusted = docker(docker, env, "push", image);
                assertThat(untrusted.exitCode()).as(untrusted.describe()).isNotZero();
                assertThat(untrusted.stdout() + untrusted.stderr()).containsIgnoringCase("certificate");

                Files.createDirectories(trustDir);
                Files.copy(tls.files.ca(), trustDir.resolve("ca.crt"));
                ExternalTools.Result pushed = docker(docker, env, "push", image);
                assertThat(pushed.exitCode()).as(pushed.describe()).isZero();
                String digest = manifestDigest(tls, server, "team/docker", "v1");
                assertThat(pushed.stdout()).contains(digest);

                assertThat(docker(docker, env, "rmi", image).exitCode()).isZero();
                ExternalTools.Result pulled = docker(docker, env, "pull", image);
                assertThat(pulled.exitCode()).as(pulled.describe()).isZero();
                assertThat(pulled.stdout()).contains(digest);
            } finally {
                docker(docker, env, "rmi", "-f", image);
                if (Files.exists(trustDir.resolve("ca.crt"))) {
                    Files.delete(trustDir.resolve("ca.crt"));
                }
                Files.deleteIfExists(trustDir);
            }
        }
    }

    @Test
    void podmanPushesAndPullsWithTheCaInACertDir() throws Exception {
        Path podman = ExternalTools.require("podman");
        String address = ownAddress();
        RequiredTools.require(address != null, "no non-loopback IPv4 address on this machine");
        TestTls tls = TestTls.create(tmp.resolve("tls"), List.of(address));
        // A folder holding ca.crt only: containers/image reads every *.crt of a cert dir as a CA.
        Path certDir = Files.createDirectories(tmp.resolve("podman-certs"));
        Files.copy(tls.files.ca(), certDir.resolve("ca.crt"));
        try (RegistryServer server = start(address, tls)) {
            String image = address + ":" + server.port() + "/team/podman:v1";
            assertThat(podman(podman, "import", rootfs("podman").toString(), image).exitCode()).isZero();

            ExternalTools.Result untrusted = podman(podman, "push", "--tls-verify=true", image);
            assertThat(untrusted.exitCode()).as(untrusted.describe()).isNotZero();
            assertThat(untrusted.stdout() + untrusted.stderr()).containsIgnoringCase("certificate");

            Path digestFile = tmp.resolve("podman.digest");
            ExternalTools.Result pushed = podman(podman, "push", "--tls-verify=true", "--cert-dir", certDir.toString(),
                    "--digestfile", digestFile.toString(), image);
            assertThat(pushed.exitCode()).as(pushed.describe()).isZero();
            String digest = manifestDigest(tls, server, "team/podman", "v1");
            assertThat(Files.readString(digestFile).trim()).isEqualTo(digest);

            assertThat(podman(podman, "rmi", image).exitCode()).isZero();
            ExternalTools.Result pulled = podman(podman, "pull", "--tls-verify=true", "--cert-dir", certDir.toString(), image);
            assertThat(pulled.exitCode()).as(pulled.describe()).isZero();
            ExternalTools.Result inspected = podman(podman, "image", "inspect", "--format", "{{.Digest}}", image);
            assertThat(inspected.stdout().trim()).as(inspected.describe()).isEqualTo(digest);
        }
    }

    private ExternalTools.Result docker(Path docker, Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(docker.toString()));
        command.addAll(List.of(args));
        return ExternalTools.run(tmp.resolve("docker-run"), env, TIMEOUT, command);
    }

    /** podman with its own storage in the test's folder (vfs, as on these machines), no system state touched. */
    private ExternalTools.Result podman(Path podman, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(podman.toString(),
                "--root", tmp.resolve("podman/root").toString(), "--runroot", tmp.resolve("podman/run").toString(),
                "--storage-driver", "vfs", "--cgroup-manager", "cgroupfs", "--events-backend", "file",
                "--tmpdir", tmp.resolve("podman/tmp").toString()));
        command.addAll(List.of(args));
        return ExternalTools.run(tmp.resolve("podman-run"), Map.of(), TIMEOUT, command);
    }
}
