package io.slipway.registry.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.distribution.OciError;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyException;
import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.io.IOException;
import java.util.Optional;

/**
 * What a caller of the management API reaches, shared by every area: the account a request is
 * about, the namespaces and images it may see. Something of another account is refused as not
 * found, exactly as something that does not exist.
 */
final class CallerAccess {
    private final Authorizer authorizer;
    private final TenancyStore store;
    private final ManifestService manifests;
    private final boolean open;

    CallerAccess(Authorizer authorizer, TenancyStore store, ManifestService manifests, boolean open) {
        this.authorizer = authorizer;
        this.store = store;
        this.manifests = manifests;
        this.open = open;
    }

    Authorizer authorizer() {
        return authorizer;
    }

    /** The account named in the request, or the caller's own; another account's is only for the administrator. */
    Account accountFor(Principal c, JsonNode body) {
        String name = body == null ? null : Bodies.text(body, "account", false);
        return account(c, name);
    }

    Account account(Principal c, String name) {
        return authorizer.account(c, name);
    }

    void requireManager(Principal c, Account a) {
        if (!authorizer.managesAccount(c, a.id())) {
            throw TenancyException.denied("only a Manager of account " + a.name() + " may do this");
        }
    }

    /** The account named (or the caller's), once the caller is shown to manage it. */
    Account managed(Principal c, String name) {
        Account a = account(c, name);
        requireManager(c, a);
        return a;
    }

    /** The account the body names (or the caller's), once the caller is shown to manage it. */
    Account managedFor(Principal c, JsonNode body) {
        Account a = accountFor(c, body);
        requireManager(c, a);
        return a;
    }

    static void requireAdmin(Principal c) {
        if (!c.admin()) {
            throw TenancyException.denied("only the registry administrator may do this");
        }
    }

    /** A namespace by name, whoever owns it: for checks that compare its account themselves. */
    Optional<Namespace> namespace(String name) {
        return store.namespace(name);
    }

    Namespace visibleNamespace(Principal c, String name) {
        Optional<Namespace> ns = store.namespace(name);
        if (ns.isEmpty() || !(c.admin() || ns.get().accountId() == c.accountId() && authorizer.sees(c, ns.get()))) {
            throw TenancyException.notFound("no namespace " + name);
        }
        return ns.get();
    }

    boolean can(Principal c, String repository, Action action) {
        return open || authorizer.allowed(c, repository).contains(action);
    }

    /** {@link #can}(c, repository, PULL) for many repositories in a row: namespaces and policies read once. */
    java.util.function.Predicate<String> pullable(Principal c) {
        if (open) {
            return repository -> true;
        }
        var allowed = authorizer.allowedMany(c);
        java.util.Map<String, Boolean> decided = new java.util.HashMap<>();
        return repository -> decided.computeIfAbsent(repository, r -> allowed.apply(r).contains(Action.PULL));
    }

    /** Refuses as "not found" unless the caller may at least pull; as "denied" when it may pull but not this. */
    void requireImage(Principal c, String repository, Action action) {
        if (can(c, repository, action)) {
            return;
        }
        if (!can(c, repository, Action.PULL)) {
            throw TenancyException.notFound("no repository " + repository);
        }
        throw TenancyException.denied("you may not " + action.scopeName() + " in " + repository);
    }

    /** The image, once the caller may do {@code action} on its repository; "not found" when it is missing. */
    ManifestService.Found image(Principal c, ImageName name, Action action) throws IOException {
        requireImage(c, name.repository(), action);
        try {
            return manifests.get(name.repository(), name.reference());
        } catch (OciError e) {
            throw TenancyException.notFound("no image " + name);
        }
    }
}
