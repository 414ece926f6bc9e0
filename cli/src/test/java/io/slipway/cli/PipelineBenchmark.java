package io.slipway.cli;

import io.slipway.oci.Digest;
import io.slipway.oci.client.RegistryClient;
import io.slipway.registry.testing.IamFixture;
import io.slipway.trust.keys.EcKeys;
import io.slipway.trust.keys.KeyFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.security.interfaces.ECPrivateKey;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Wall time of build → push → gate → sign → deploy through the CLI on the embedded registry, per
 * step, cold and then warm with only the application jar changed. The reference, measured in the
 * same run, is the least a rebuild must do: upload the one changed layer and a manifest by hand
 * with the registry client. Run by {@code bench/pipeline-bench.sh}.
 */
public final class PipelineBenchmark {
    private PipelineBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path tmp = Files.createTempDirectory("pipeline-bench");
        Path data = tmp.resolve("data");
        try (IamFixture iam = new IamFixture(data)) {
            String url = iam.server.uri().toString();
            String host = "127.0.0.1:" + iam.server.port();
            Path record = Path.of(args.length > 0 ? args[0] : "cli/src/test/resources/advisories/GHSA-jfh8-c2jp-5v3q.json");
            run("va", "db", "import", "--data", data.toString(), record.toString());
            iam.server.scans().sweep();

            Path dir = Files.createDirectories(tmp.resolve("svc"));
            Files.createDirectories(dir.resolve("lib"));
            Files.write(dir.resolve("lib/log4j-core-2.17.1.jar"), VulnerabilityAdvisorTest.jar("2.17.1"));
            Files.writeString(dir.resolve("jib.yaml"), """
                    apiVersion: jib/v1alpha1
                    kind: BuildFile
                    from: scratch
                    entrypoint: ["/app/run.sh"]
                    layers:
                      entries:
                        - name: libraries
                          files: [{src: lib, dest: /app/lib}]
                        - name: application
                          files: [{src: app.jar, dest: /app/app.jar}]
                    """);
            Path key = tmp.resolve("release.key");
            Files.writeString(key, KeyFiles.privateKeyPem((ECPrivateKey) EcKeys.generateP256(new SecureRandom()).getPrivate()));
            Path bare = DeployCommandTest.gitopsRepository(tmp.resolve("gitops"), Map.of("envs/dev/values.yaml",
                    ImagePolicyTest.values(host + "/acme-dev/svc", "0.9")));
            String ci = iam.keys.get("ci");

            List<String> lines = new ArrayList<>();
            Map<String, Long> warm = null;
            RegistryClient client = new RegistryClient(url, "iamapikey", ci);
            List<String> previousLayers = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                // a different application jar each round: the only layer that changes
                Files.write(dir.resolve("app.jar"), ("application build " + round + " ").repeat(20_000).getBytes());
                Map<String, Long> t = new LinkedHashMap<>();
                Path digestFile = tmp.resolve("digest");
                long s = System.nanoTime();
                run("build", "--build-file", dir.resolve("jib.yaml").toString(), "--image", "acme-dev/svc:" + round,
                        "--digest-file", digestFile.toString(), "--cache", tmp.resolve("cache").toString(),
                        "--registry", url, "--api-key", ci);
                t.put("build+push", System.nanoTime() - s);
                String image = "acme-dev/svc@" + Files.readString(digestFile);
                s = System.nanoTime();
                run("gate", "--image", image, "--interval", "100ms", "--timeout", "2m", "--registry", url, "--api-key", ci);
                t.put("gate", System.nanoTime() - s);
                s = System.nanoTime();
                run("sign", "--image", image, "--key", key.toString(), "--registry", url, "--api-key", ci);
                t.put("sign", System.nanoTime() - s);
                s = System.nanoTime();
                run("deploy", "--gitops", bare.toUri().toString(), "--values", "envs/dev/values.yaml",
                        "--chart", "charts/app", "--image", host + "/" + image.replace("@", ":" + round + "@"));
                t.put("deploy", System.nanoTime() - s);
                long total = t.values().stream().mapToLong(Long::longValue).sum();
                List<String> layers = new ArrayList<>();
                Credentials.JSON.readTree(client.manifest("acme-dev/svc", Files.readString(digestFile)).bytes())
                        .path("layers").forEach(l -> layers.add(l.path("digest").asText()));
                long changed = layers.stream().filter(l -> !previousLayers.contains(l)).count();
                previousLayers.clear();
                previousLayers.addAll(layers);
                lines.add(String.format("%-22s %s   total %7.2f s   new layers %d of %d",
                        round == 0 ? "cold (first build)" : "warm, jar changed #" + round, format(t), total / 1e9,
                        changed, layers.size()));
                if (round > 0) {
                    warm = t;
                }
            }
            // Reference: the changed layer's bytes and a manifest uploaded directly, no build at all.
            byte[] layer = Files.readAllBytes(dir.resolve("app.jar"));
            long s = System.nanoTime();
            Digest d = client.uploadBlob("acme-dev/reference", (new String(layer) + "x").getBytes());
            byte[] config = VulnerabilityAdvisorTest.config();
            Digest c = client.uploadBlob("acme-dev/reference", config);
            String manifest = "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":"
                    + "{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"" + c + "\",\"size\":" + config.length
                    + "},\"layers\":[{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar\",\"digest\":\"" + d
                    + "\",\"size\":" + (layer.length + 1) + "}]}";
            client.putManifest("acme-dev/reference", "1", manifest.getBytes(), "application/vnd.oci.image.manifest.v1+json");
            long reference = System.nanoTime() - s;
            lines.forEach(System.out::println);
            System.out.printf("reference: one layer + manifest uploaded by hand %.2f s; warm build+push / reference = %.1f%n",
                    reference / 1e9, warm.get("build+push") / (double) reference);
        } finally {
            // the data directory is left for inspection only when asked
            if (System.getenv("KEEP_TMP") == null) {
                try (var walk = Files.walk(tmp)) {
                    walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                }
            }
        }
    }

    private static String format(Map<String, Long> t) {
        StringBuilder b = new StringBuilder();
        t.forEach((k, v) -> b.append(String.format("%s %6.2f s   ", k, v / 1e9)));
        return b.toString().stripTrailing();
    }

    private static void run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Slipway.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        if (code != 0) {
            throw new IllegalStateException("slipway " + String.join(" ", args) + " exited " + code + ": " + out + err);
        }
    }
}
