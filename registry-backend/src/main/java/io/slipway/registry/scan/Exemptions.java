package io.slipway.registry.scan;

import io.slipway.registry.tenancy.TenancyModel.Account;
import io.slipway.registry.tenancy.TenancyModel.Namespace;
import io.slipway.registry.tenancy.TenancyStore;
import io.slipway.va.report.Exemption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The exemptions that apply to a repository: those of the account owning its namespace. */
public final class Exemptions {
    private final TenancyStore tenancy;
    private final ScanStore store;

    public Exemptions(TenancyStore tenancy, ScanStore store) {
        this.tenancy = tenancy;
        this.store = store;
    }

    public List<Exemption> forRepository(String repository) {
        int slash = repository.indexOf('/');
        Optional<Namespace> ns = slash > 0 ? tenancy.namespace(repository.substring(0, slash)) : Optional.empty();
        // An open registry (no namespaces created) keeps its exemptions in the first account.
        long account = ns.map(Namespace::accountId)
                .orElseGet(() -> tenancy.accounts().stream().findFirst().map(Account::id).orElse(-1L));
        List<Exemption> list = new ArrayList<>();
        for (ScanStore.StoredExemption e : store.exemptions(account)) {
            list.add(Exemption.of(e.scope(), e.issueType(), e.issueId(), e.reason()));
        }
        return list;
    }
}
