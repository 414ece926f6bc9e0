package io.slipway.registry.api;

import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.distribution.ManifestService;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.scan.ScanService;
import io.slipway.registry.scan.ScanStore;
import io.slipway.registry.tenancy.Tenancy;
import io.slipway.registry.tenancy.TenancyStore;
import java.util.List;
import java.util.function.Supplier;

/**
 * The management API's areas, each checking who may do what: the administrator manages
 * accounts; an account's Managers manage its namespaces, users, service IDs, keys and policies;
 * images follow the repository's pull/push/delete grants. What a caller reaches is decided in one
 * place ({@link CallerAccess}): something of another account is answered as not found, exactly as
 * something that does not exist. Image policies and signer keys are {@link PolicyApi}'s.
 */
public final class ManagementApi {
    private final TenancyStore store;
    private final boolean open;
    private final List<ManagementArea> areas;
    private final AccountApi accounts;
    private final IamApi iam;
    private final ImageApi images;
    private final VaApi va;
    private final AuditApi audit;
    private final LifecycleApi lifecycle;

    /** @param names this registry's own hosts: an image reference naming another host is refused */
    public ManagementApi(Tenancy tenancy, Authorizer authorizer, MetadataStore metadata, ManifestService manifests,
            boolean open, ScanService scans, ScanStore scanStore, Supplier<RegistryNames> names,
            io.slipway.registry.lifecycle.Lifecycle lifecycle) {
        this.store = tenancy.store();
        this.open = open;
        CallerAccess access = new CallerAccess(authorizer, store, manifests, open);
        VaApi va = new VaApi(store, metadata, manifests, scans, scanStore, names, access);
        this.accounts = new AccountApi(tenancy, metadata, access);
        this.iam = new IamApi(tenancy, access);
        this.images = new ImageApi(metadata, manifests, names, access, va);
        this.va = va;
        this.audit = new AuditApi(store);
        this.lifecycle = new LifecycleApi(lifecycle, metadata, names, access);
        this.areas = List.of(accounts, iam, images, va, audit, this.lifecycle);
    }

    /** In {@code --auth none} every caller acts as the administrator. */
    public boolean open() {
        return open;
    }

    public TenancyStore store() {
        return store;
    }

    /** Each area by name, for callers other than the HTTP routes (the Registry Console): the same operations and checks. */
    public AccountApi accounts() {
        return accounts;
    }

    public IamApi iam() {
        return iam;
    }

    public ImageApi images() {
        return images;
    }

    public VaApi va() {
        return va;
    }

    public AuditApi audit() {
        return audit;
    }

    public LifecycleApi lifecycle() {
        return lifecycle;
    }

    /** The areas, each with its routes. */
    public List<ManagementArea> areas() {
        return areas;
    }
}
