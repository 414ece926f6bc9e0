package io.slipway.cli;

import io.slipway.pipeline.ManagementClient;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway policy …}: image policies (image-security enforcement) and their decisions. */
@Command(name = "policy", mixinStandardHelpOptions = true, description = "Image policies and their decisions.",
        subcommands = {PolicyCommand.Apply.class, PolicyCommand.KeyAdd.class, PolicyCommand.Check.class})
final class PolicyCommand {

    @Command(name = "apply", mixinStandardHelpOptions = true,
            description = "Store an ImagePolicy or ClusterImagePolicy (slipway.io/v1 YAML), replacing one of the same name.")
    static final class Apply extends CrCommand.Verb {
        @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws Exception {
            JsonNode r = registry.client().post("/image-policies", object().put("document", Files.readString(file)));
            out().println("Applied " + r.path("kind").asText() + " " + (r.path("namespace").isNull() ? ""
                    : r.path("namespace").asText() + "/") + r.path("name").asText() + ".");
            return 0;
        }
    }

    @Command(name = "key-add", mixinStandardHelpOptions = true,
            description = "Store a signer's public key (cosign PEM or OpenPGP) under a name policies can use.")
    static final class KeyAdd extends CrCommand.Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--public-key", required = true, paramLabel = "FILE")
        Path key;

        @Option(names = "--namespace", description = "The policies' namespace (default: the whole account).")
        String namespace;

        @Option(names = "--cluster", description = "A registry-wide key that ClusterImagePolicies may name "
                + "(administrator only).")
        boolean cluster;

        @Option(names = "--account", description = "The account the key belongs to (default: your own; "
                + "the administrator may name any).")
        String account;

        @Override
        public Integer call() throws Exception {
            var body = object().put("name", name).put("publicKey", Files.readString(key));
            if (namespace != null) {
                body.put("namespace", namespace);
            }
            if (cluster) {
                body.put("cluster", true);
            }
            if (account != null) {
                body.put("account", account);
            }
            registry.client().post("/signer-keys", body);
            out().println("Stored key " + name + ".");
            return 0;
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Would this image be admitted? Prints the decision with every reason; exit 5 when denied.")
    static final class Check extends CrCommand.Listing {
        @Parameters(paramLabel = "IMAGE")
        String image;

        @Option(names = "--namespace", description = "The Kubernetes namespace it would run in (default: default).")
        String namespace;

        @Override
        public Integer call() throws Exception {
            JsonNode d = registry.client().get("/policy/check?image=" + ManagementClient.q(image)
                    + (namespace == null ? "" : "&namespace=" + ManagementClient.q(namespace)));
            if (asJson()) {
                json(d);
            } else {
                out().println((d.path("allowed").asBoolean() ? "ALLOW " : "DENY ") + d.path("image").asText());
                for (JsonNode r : d.path("reasons")) {
                    out().println("  " + (r.path("satisfied").asBoolean() ? "ok   " : "FAIL ") + r.path("requirement").asText()
                            + ": " + r.path("message").asText());
                }
            }
            return d.path("allowed").asBoolean() ? 0 : Slipway.POLICY_DENIED;
        }
    }
}
