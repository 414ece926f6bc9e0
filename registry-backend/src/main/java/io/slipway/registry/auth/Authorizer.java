package io.slipway.registry.auth;

import io.slipway.registry.tenancy.Role;
import io.slipway.registry.tenancy.Role.Action;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyModel.Policy;
import io.slipway.registry.tenancy.TenancyModel.Principal;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * The IAM decision: which actions a principal (or an anonymous caller) may take on a repository.
 * A namespace that does not exist and a namespace of another account both yield nothing, so that
 * every answer built on this decision is the same for the two.
 */
public final class Authorizer {
    private final TenancyStore store;
    private final boolean anonymousPull;

    public Authorizer(TenancyStore store, boolean anonymousPull) {
        this.store = store;
        this.anonymousPull = anonymousPull;
    }

    /** The actions allowed on {@code repository}; {@code principal} is null for an anonymous caller. */
    public EnumSet<Action> allowed(Principal principal, String repository) {
        return allowed(principal, repository, store::namespace,
                () -> principal == null ? List.of() : store.policiesOf(principal.id()));
    }

    /**
     * {@link #allowed(Principal, String)} for many repositories in a row (a page of a listing): the
     * same decision, with each namespace and the principal's policies read once.
     */
    public java.util.function.Function<String, EnumSet<Action>> allowedMany(Principal principal) {
        java.util.Map<String, Optional<Namespace>> namespaces = new java.util.HashMap<>();
        List<List<Policy>> policies = new java.util.ArrayList<>();
        return repository -> allowed(principal, repository, n -> namespaces.computeIfAbsent(n, store::namespace), () -> {
            if (policies.isEmpty()) {
                policies.add(principal == null ? List.of() : store.policiesOf(principal.id()));
            }
            return policies.get(0);
        });
    }

    private EnumSet<Action> allowed(Principal principal, String repository,
            java.util.function.Function<String, Optional<Namespace>> namespaces,
            java.util.function.Supplier<List<Policy>> policiesOfPrincipal) {
        EnumSet<Action> actions = EnumSet.noneOf(Action.class);
        int slash = repository.indexOf('/');
        if (slash <= 0) {
            return actions;
        }
        Optional<Namespace> found = namespaces.apply(repository.substring(0, slash));
        if (found.isEmpty()) {
            return actions;
        }
        Namespace ns = found.get();
        if (ns.isPublic() && (principal != null || anonymousPull)) {
            actions.add(Action.PULL);
        }
        if (principal == null) {
            return actions;
        }
        if (principal.admin()) {
            return EnumSet.allOf(Action.class);
        }
        if (principal.accountId() != ns.accountId()) {
            return actions;
        }
        String rest = repository.substring(slash + 1);
        for (Policy p : policiesOfPrincipal.get()) {
            if (applies(p, ns.name(), rest)) {
                actions.addAll(p.role().actions());
            }
        }
        return actions;
    }

    private static boolean applies(Policy p, String namespace, String repository) {
        if (p.namespace() == null) {
            return true; // account-wide
        }
        if (!p.namespace().equals(namespace)) {
            return false;
        }
        return p.repository() == null || p.repository().equals(repository);
    }

    /**
     * The account a request names: the caller's own when none is named; another only for the
     * administrator — to anyone else it answers "no account", exactly as one that does not exist.
     */
    public io.slipway.registry.tenancy.TenancyModel.Account account(Principal principal, String name) {
        if (name == null || name.isBlank()) {
            return store.account(principal.account()).orElseThrow();
        }
        Optional<io.slipway.registry.tenancy.TenancyModel.Account> a = store.account(name);
        if (a.isEmpty() || (!principal.admin() && a.get().id() != principal.accountId())) {
            throw io.slipway.registry.tenancy.TenancyException.notFound("no account " + name);
        }
        return a.get();
    }

    /** Account managers (and the administrator) manage the account: namespaces, IDs, keys, policies. */
    public boolean managesAccount(Principal principal, long accountId) {
        if (principal == null) {
            return false;
        }
        if (principal.admin()) {
            return true;
        }
        if (principal.accountId() != accountId) {
            return false;
        }
        List<Policy> policies = store.policiesOf(principal.id());
        return policies.stream().anyMatch(p -> p.namespace() == null && p.role() == Role.MANAGER);
    }

    /** Namespace managers may also delete the namespace and change whether it is public. */
    public boolean managesNamespace(Principal principal, Namespace ns) {
        if (managesAccount(principal, ns.accountId())) {
            return true;
        }
        return principal != null && principal.accountId() == ns.accountId()
                && store.policiesOf(principal.id()).stream().anyMatch(p -> ns.name().equals(p.namespace())
                        && p.repository() == null && p.role() == Role.MANAGER);
    }

    /** True when the principal may see the namespace at all (any grant in it, or it is public). */
    public boolean sees(Principal principal, Namespace ns) {
        return !allowed(principal, ns.name() + "/x").isEmpty() || managesNamespace(principal, ns)
                || (principal != null && principal.accountId() == ns.accountId()
                        && store.policiesOf(principal.id()).stream().anyMatch(p -> ns.name().equals(p.namespace())));
    }
}
