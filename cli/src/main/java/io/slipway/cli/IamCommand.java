package io.slipway.cli;

import io.slipway.pipeline.ManagementClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code slipway cr iam …}: accounts, users, service IDs, API keys and policies. */
@Command(name = "iam", mixinStandardHelpOptions = true, description = "Manage accounts, IDs, API keys and policies.",
        subcommands = {IamCommand.AccountCreate.class, IamCommand.UserCreate.class, IamCommand.ServiceIdCreate.class,
            IamCommand.ApiKeyCreate.class, IamCommand.PolicyCreate.class, IamCommand.PolicyList.class,
            IamCommand.PolicyRm.class})
final class IamCommand {

    @Command(name = "account-create", mixinStandardHelpOptions = true, description = "Create an account (administrator).")
    static final class AccountCreate extends CrCommand.Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() throws Exception {
            registry.client().post("/accounts", object().put("name", name));
            out().println("Created account " + name + ".");
            return 0;
        }
    }

    @Command(name = "user-create", mixinStandardHelpOptions = true, description = "Create a user.")
    static final class UserCreate extends CrCommand.Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--account", description = "Account (default: yours).")
        String account;

        @Option(names = "--role", description = "Grant this role on the whole account: Reader, Writer or Manager.")
        String role;

        @Option(names = "--password-env", paramLabel = "VAR", description = "Take the password from this variable.")
        String passwordEnv;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("name", name);
            if (account != null) {
                body.put("account", account);
            }
            if (role != null) {
                body.put("role", role);
            }
            if (passwordEnv != null) {
                String pw = System.getenv(passwordEnv);
                if (pw == null) {
                    throw new IllegalArgumentException("environment variable " + passwordEnv + " is not set");
                }
                body.put("password", pw);
            }
            registry.client().post("/users", body);
            out().println("Created user " + name + (role != null ? " with role " + role + " on the account" : "") + ".");
            return 0;
        }
    }

    @Command(name = "service-id-create", mixinStandardHelpOptions = true, description = "Create a service ID (for CI).")
    static final class ServiceIdCreate extends CrCommand.Verb {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--account", description = "Account (default: yours).")
        String account;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object().put("name", name);
            if (account != null) {
                body.put("account", account);
            }
            registry.client().post("/service-ids", body);
            out().println("Created service ID " + name + ".");
            return 0;
        }
    }

    @Command(name = "api-key-create", mixinStandardHelpOptions = true,
            description = "Create an API key (for yourself, a user or a service ID); it is shown once.")
    static final class ApiKeyCreate extends CrCommand.Verb {
        @Option(names = "--service-id", paramLabel = "NAME")
        String serviceId;

        @Option(names = "--user", paramLabel = "NAME")
        String user;

        @Option(names = "--account")
        String account;

        @Option(names = "--description")
        String description;

        @Option(names = "--output", defaultValue = "table", description = "table or json")
        String output;

        @Override
        public Integer call() throws Exception {
            ObjectNode body = object();
            if (serviceId != null) {
                body.put("serviceId", serviceId);
            }
            if (user != null) {
                body.put("user", user);
            }
            if (account != null) {
                body.put("account", account);
            }
            if (description != null) {
                body.put("description", description);
            }
            JsonNode r = registry.client().post("/api-keys", body);
            if (output.equals("json")) {
                json(r);
            } else {
                out().println("API key for " + r.path("owner").asText() + " (shown once, store it now):");
                out().println(r.path("apiKey").asText());
            }
            return 0;
        }
    }

    @Command(name = "policy-create", mixinStandardHelpOptions = true,
            description = "Grant a role to a user or service ID on the account, a namespace or a repository.")
    static final class PolicyCreate extends CrCommand.Verb {
        @Option(names = "--role", required = true, description = "Reader, Writer or Manager")
        String role;

        @Option(names = "--namespace", paramLabel = "NS", description = "Only this namespace (default: the whole account).")
        String namespace;

        @Option(names = "--repository", paramLabel = "REPO", description = "Only this repository of the namespace.")
        String repository;

        @Option(names = "--user", paramLabel = "NAME")
        String user;

        @Option(names = "--service-id", paramLabel = "NAME")
        String serviceId;

        @Option(names = "--account")
        String account;

        @Override
        public Integer call() throws Exception {
            if ((user == null) == (serviceId == null)) {
                throw new IllegalArgumentException("name exactly one of --user or --service-id");
            }
            ObjectNode body = object().put("role", role);
            if (namespace != null) {
                body.put("namespace", namespace);
            }
            if (repository != null) {
                body.put("repository", repository);
            }
            if (user != null) {
                body.put("user", user);
            }
            if (serviceId != null) {
                body.put("serviceId", serviceId);
            }
            if (account != null) {
                body.put("account", account);
            }
            JsonNode r = registry.client().post("/policies", body);
            out().println("Created policy " + r.path("id").asText() + ".");
            return 0;
        }
    }

    @Command(name = "policy-list", mixinStandardHelpOptions = true, description = "List the account's policies.")
    static final class PolicyList extends CrCommand.Listing {
        @Option(names = "--account")
        String account;

        @Override
        public Integer call() throws Exception {
            JsonNode list = registry.client().get("/policies" + (account == null ? "" : "?account="
                    + ManagementClient.q(account)));
            return printList(list, List.of("ID", "WHO", "ROLE", "ON"), p -> {
                String who = p.has("serviceId") ? "service ID " + p.path("serviceId").asText() : "user " + p.path("user").asText();
                String on = p.path("namespace").isNull() ? "account"
                        : p.path("namespace").asText() + (p.path("repository").isNull() ? "" : "/" + p.path("repository").asText());
                return List.of(p.path("id").asText(), who, p.path("role").asText(), on);
            });
        }
    }

    @Command(name = "policy-rm", mixinStandardHelpOptions = true, description = "Remove a policy.")
    static final class PolicyRm extends CrCommand.Verb {
        @Parameters(paramLabel = "ID")
        long id;

        @Override
        public Integer call() throws Exception {
            registry.client().delete("/policies/" + id);
            out().println("Removed policy " + id + ".");
            return 0;
        }
    }
}
