package io.slipway.registry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.registry.testing.PostgresServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The read cache every node keeps in front of its metadata store: the whole store contract through
 * it (a node sees its own changes at once), and, with two nodes' caches over one PostgreSQL
 * database, another node's changes within {@link CachingMetadataStore#STALE}.
 */
class CachingMetadataStoreTest extends MetadataStoreContract {
    private PostgresSettings settings;

    @Override
    protected MetadataStore openStore() throws Exception {
        settings = PostgresServer.shared().newDatabase(8);
        return node();
    }

    @Override
    protected java.sql.Connection connect() throws Exception {
        return java.sql.DriverManager.getConnection(settings.url(), settings.user(), settings.password());
    }

    @Override
    protected Migrations.Dialect dialect() {
        return Migrations.Dialect.POSTGRES;
    }

    private MetadataStore node() {
        return new CachingMetadataStore(new SqlMetadataStore(new PostgresDatabase(settings), true));
    }

    /** Long enough for every node to have polled the change counter since the change committed. */
    private static void pastTheBound() throws InterruptedException {
        Thread.sleep(CachingMetadataStore.STALE.toMillis() + 100);
    }

    private static Digest byTag(MetadataStore node, String tag) {
        return node.manifestByTag("ns/app", tag).map(ManifestRecord::digest).orElse(null);
    }

    @Test
    void aTagMovedOnOneNodeIsSeenMovedOnAnother() throws Exception {
        try (MetadataStore other = node()) {
            store.putManifest(manifest("ns/app", "one", null, List.of()), List.of("latest"));
            for (int i = 0; i < 3; i++) { // remembered by both
                assertThat(byTag(store, "latest")).isEqualTo(d("one"));
                assertThat(byTag(other, "latest")).isEqualTo(d("one"));
            }
            store.putManifest(manifest("ns/app", "two", null, List.of()), List.of("latest"));
            assertThat(byTag(store, "latest")).as("the node that moved it, at once").isEqualTo(d("two"));
            pastTheBound();
            assertThat(byTag(other, "latest")).as("another node, within the bound").isEqualTo(d("two"));

            other.deleteTag("ns/app", "latest");
            assertThat(byTag(other, "latest")).isNull();
            pastTheBound();
            assertThat(byTag(store, "latest")).isNull();
        }
    }

    @Test
    void aDeletedManifestIsNotServedFromACache() throws Exception {
        try (MetadataStore other = node()) {
            store.putManifest(manifest("ns/app", "gone", null, List.of()), List.of("v1"));
            store.linkBlob("ns/app", d("layer"), 7);
            for (MetadataStore n : List.of(store, other)) {
                assertThat(n.manifest("ns/app", d("gone"))).isPresent();
                assertThat(byTag(n, "v1")).isEqualTo(d("gone"));
                assertThat(n.linkedBlobSize("ns/app", d("layer"))).hasValue(7);
                assertThat(n.repositoryExists("ns/app")).isTrue();
            }
            assertThat(other.deleteManifest("ns/app", d("gone"))).isTrue();
            assertThat(other.manifest("ns/app", d("gone"))).isEmpty();
            pastTheBound();
            assertThat(store.manifest("ns/app", d("gone"))).isEmpty();
            assertThat(byTag(store, "v1")).isNull();

            other.unlinkBlob("ns/app", d("layer"));
            pastTheBound();
            assertThat(store.linkedBlobSize("ns/app", d("layer"))).isEmpty();

            assertThat(other.deleteRepositories("ns")).isEqualTo(1);
            pastTheBound();
            assertThat(store.repositoryExists("ns/app")).isFalse();
        }
    }

    @Test
    void twoNodesRacingOnOneTagWhileReadingItEndWithOneAnswer() throws Exception {
        try (MetadataStore other = node()) {
            List<MetadataStore> nodes = List.of(store, other);
            for (int i = 0; i < 40; i++) {
                store.putManifest(manifest("ns/app", "m" + i, null, List.of()), List.of());
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<?>> futures = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    int n = i;
                    MetadataStore node = nodes.get(n % 2);
                    futures.add(pool.submit(() -> {
                        node.putManifest(manifest("ns/app", "m" + n, null, List.of()), List.of("latest"));
                        byTag(nodes.get((n + 1) % 2), "latest"); // readers fill the caches meanwhile
                        byTag(node, "latest");
                    }));
                }
                for (Future<?> f : futures) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            pastTheBound();
            Digest truth;
            try (MetadataStore uncached = new SqlMetadataStore(new PostgresDatabase(settings), true)) {
                truth = byTag(uncached, "latest");
            }
            assertThat(truth).isNotNull();
            assertThat(byTag(store, "latest")).isEqualTo(truth);
            assertThat(byTag(other, "latest")).isEqualTo(truth);
        }
    }
}
