package io.slipway.registry.tenancy;

import io.slipway.registry.auth.Passwords;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.ApiKey;
import io.slipway.registry.tenancy.TenancyModel.Kind;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Policy;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Accounts, namespaces, users, service IDs, API keys and policies: the rules about them (names,
 * uniqueness, bootstrap), over a {@link TenancyStore}. Who may call what is decided by the caller
 * ({@code api} asks {@code auth}); this class only keeps the model valid.
 */
public final class Tenancy {
    /** Namespaces: 4–30 of a-z, 0-9, '-' and '_', and a valid repository name component. */
    private static final Pattern NAMESPACE = Pattern.compile("(?=[a-z0-9_-]{4,30}$)[a-z0-9]+(?:(?:_|__|-+)[a-z0-9]+)*");
    private static final Pattern ACCOUNT = Pattern.compile("[a-z0-9][a-z0-9_-]{1,62}");
    private static final Pattern PRINCIPAL = Pattern.compile("[a-z0-9][a-z0-9._@-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The user name under which an API key is presented in Basic credentials. */
    public static final String API_KEY_USER = "iamapikey";

    private final TenancyStore store;

    public Tenancy(TenancyStore store) {
        this.store = store;
    }

    public TenancyStore store() {
        return store;
    }

    /** The result of the first start: the administrator and, when it was generated, its key. */
    public record Bootstrap(Principal admin, String generatedKey) {
        /** Never the secret: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "Bootstrap[admin=" + admin + ", generatedKey=" + (generatedKey == null ? "none" : "***") + "]";
        }

    }

    /**
     * On a registry with no account yet: creates the first account and its administrator, whose
     * API key is {@code presetKey} when given, else generated and returned once. Null afterwards.
     */
    public Bootstrap bootstrap(String accountName, String presetKey) {
        if (store.anyAccount()) {
            return null;
        }
        Account account;
        try {
            account = createAccount(accountName);
        } catch (TenancyException e) {
            if (e.status() == 409) {
                return null; // another node sharing the database bootstrapped at the same moment
            }
            throw e;
        }
        Principal admin = store.createPrincipal(account.id(), Kind.USER, "admin", null, true);
        String key = presetKey != null && !presetKey.isBlank() ? presetKey : newApiKey();
        if (key.length() < 16) {
            throw TenancyException.invalid("SLIPWAY_ADMIN_API_KEY must be at least 16 characters");
        }
        store.createApiKey(admin.id(), lookup(key), Passwords.hash(key), "administrator (bootstrap)");
        return new Bootstrap(admin, presetKey != null && !presetKey.isBlank() ? null : key);
    }

    // --- accounts

    public Account createAccount(String name) {
        if (name == null || !ACCOUNT.matcher(name).matches()) {
            throw TenancyException.invalid("account names are 2-63 of a-z, 0-9, '-' and '_'");
        }
        if (store.account(name).isPresent()) {
            throw TenancyException.conflict("account " + name + " exists");
        }
        return store.createAccount(name);
    }

    public Account account(String name) {
        return store.account(name).orElseThrow(() -> TenancyException.notFound("no account " + name));
    }

    // --- namespaces

    public static boolean isValidNamespace(String name) {
        return name != null && NAMESPACE.matcher(name).matches();
    }

    public Namespace createNamespace(String name, Account account, boolean isPublic) {
        if (!isValidNamespace(name)) {
            throw TenancyException.invalid("namespace names are 4-30 of a-z, 0-9, '-' and '_', "
                    + "starting and ending with a letter or digit");
        }
        if (store.namespace(name).isPresent()) {
            // Unique in the registry; the answer does not say whose it is.
            throw TenancyException.conflict("namespace " + name + " is taken");
        }
        return store.createNamespace(name, account.id(), isPublic);
    }

    public Optional<Namespace> namespace(String name) {
        return store.namespace(name);
    }

    // --- principals

    public Principal createUser(Account account, String name, String password, boolean admin) {
        checkPrincipalName(name);
        if (name.equals(API_KEY_USER)) {
            throw TenancyException.invalid("\"" + API_KEY_USER + "\" is reserved for API keys");
        }
        if (store.user(name).isPresent()) {
            throw TenancyException.conflict("user " + name + " exists");
        }
        if (password != null && password.length() < 12) {
            throw TenancyException.invalid("passwords must be at least 12 characters");
        }
        return store.createPrincipal(account.id(), Kind.USER, name, password == null ? null : Passwords.hash(password),
                admin);
    }

    public Principal createServiceId(Account account, String name) {
        checkPrincipalName(name);
        if (store.serviceId(account.id(), name).isPresent()) {
            throw TenancyException.conflict("service ID " + name + " exists in " + account.name());
        }
        return store.createPrincipal(account.id(), Kind.SERVICE, name, null, false);
    }

    /** Finds a user (by name) or a service ID of {@code account}. */
    public Principal principal(Account account, Kind kind, String name) {
        Optional<Principal> p = kind == Kind.USER
                ? store.user(name).filter(u -> u.accountId() == account.id())
                : store.serviceId(account.id(), name);
        return p.orElseThrow(() -> TenancyException.notFound("no " + kind.label + " " + name + " in " + account.name()));
    }

    private static void checkPrincipalName(String name) {
        if (name == null || !PRINCIPAL.matcher(name).matches()) {
            throw TenancyException.invalid("names are 1-63 of a-z, 0-9, '.', '_', '@' and '-'");
        }
    }

    // --- API keys

    /** A new key: the secret is returned here, once; only its hash is stored. */
    public record CreatedKey(ApiKey record, String secret) {
        /** Never the secret: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "CreatedKey[record=" + record + ", secret=***]";
        }
    }

    public CreatedKey createApiKey(Principal owner, String description) {
        String secret = newApiKey();
        ApiKey record = store.createApiKey(owner.id(), lookup(secret), Passwords.hash(secret), description);
        return new CreatedKey(record, secret);
    }

    public List<ApiKey> apiKeys(Principal owner) {
        return store.apiKeys(owner.id());
    }

    static String newApiKey() {
        byte[] bytes = new byte[30];
        RANDOM.nextBytes(bytes);
        return "slw_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /**
     * The index under which a key's hash is found: a prefix of its SHA-256, so any key text works
     * (including a preset administrator key) and nothing about the key can be recovered from it.
     */
    public static String lookup(String secret) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // --- policies

    public Policy createPolicy(Account account, Principal principal, Role role, String namespace, String repository) {
        if (principal.accountId() != account.id()) {
            throw TenancyException.invalid(principal.name() + " is not in account " + account.name());
        }
        if (repository != null && namespace == null) {
            throw TenancyException.invalid("a repository policy needs its namespace");
        }
        if (namespace != null) {
            Namespace ns = store.namespace(namespace)
                    .filter(n -> n.accountId() == account.id())
                    .orElseThrow(() -> TenancyException.notFound("no namespace " + namespace + " in " + account.name()));
            if (repository != null && io.slipway.oci.RepositoryName.problem(ns.name() + "/" + repository, 255) != null) {
                throw TenancyException.invalid("invalid repository name " + repository);
            }
        }
        return store.createPolicy(account.id(), principal.id(), role, namespace, repository);
    }
}
