package io.slipway.registry.lifecycle;

import java.util.Optional;

/** Which account owns a repository: the account of its namespace (the name before the first slash). */
final class Accounts {
    private final LifecycleStore store;

    record Owner(String namespace, long accountId) {
    }

    Accounts(LifecycleStore store) {
        this.store = store;
    }

    /** The owner, or null when no namespace of that name exists (an open registry's ad-hoc repository). */
    Owner owner(String repository) {
        int slash = repository.indexOf('/');
        String namespace = slash < 0 ? repository : repository.substring(0, slash);
        Optional<Long> account = store.accountOfNamespace(namespace);
        return account.map(a -> new Owner(namespace, a)).orElse(null);
    }
}
