package io.slipway.registry.console;

import io.slipway.registry.api.ManagementApi;
import io.slipway.registry.api.PolicyApi;
import io.slipway.registry.auth.Authenticator;
import io.slipway.registry.auth.Authorizer;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.RegistryNames;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.metadata.SqlDatabase;
import io.slipway.registry.scan.ScanService;
import io.slipway.registry.storage.BlobStore;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.function.Supplier;

/** Puts the Registry Console together from the registry's services: the one line the server needs. */
public final class Console {
    /** How long a sign-in lasts; signing out, or removing the key or principal, ends it sooner. */
    public static final Duration SESSION_LIFETIME = Duration.ofHours(8);

    private Console() {
    }

    public static ConsoleHandler handler(RegistryConfig config, ManagementApi api, PolicyApi policies,
            Authorizer authorizer, Authenticator authenticator, MetadataStore metadata, BlobStore blobs,
            ScanService scans, SqlDatabase database, Supplier<RegistryNames> names, Clock clock) {
        ConsolePages pages = new ConsolePages(api, policies, authorizer, metadata, blobs, scans, () -> host(config, names));
        return new ConsoleHandler(api, pages, authenticator, new ConsoleSessions(database, api.store(), clock,
                SESSION_LIFETIME));
    }

    /** The host images are pulled by: the external URL's when there is one, else the listener's. */
    static String host(RegistryConfig config, Supplier<RegistryNames> names) {
        String external = config.naming().externalUrl();
        if (external != null) {
            URI u = URI.create(external);
            return u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort();
        }
        return names.get().names().iterator().next();
    }
}
