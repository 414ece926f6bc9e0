package io.slipway.registry.metadata;

import static org.assertj.core.api.Assertions.assertThat;

import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link MetadataStore} must have. Each implementation runs it by extending
 * this class and saying how to open a fresh store.
 */
public abstract class MetadataStoreContract {
    protected MetadataStore store;

    protected abstract MetadataStore openStore() throws Exception;

    /** A connection of its own to the store's database, and the database's dialect. */
    protected abstract java.sql.Connection connect() throws Exception;

    protected abstract Migrations.Dialect dialect();

    @BeforeEach
    void open() throws Exception {
        store = openStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static Digest d(String s) {
        return Digest.sha256(s);
    }

    static ManifestRecord manifest(String repo, String content, Digest subject, List<Digest> refs) {
        Instant t = Instant.parse("2024-03-04T05:06:07Z");
        return new ManifestRecord(repo, d(content), MediaTypes.OCI_MANIFEST, content.length(), d("config"),
                "application/x-test", subject, null, 1234, t, t, refs);
    }

    @Test
    void blobsAreLinkedPerRepository() {
        store.linkBlob("ns/a", d("x"), 10);
        store.linkBlob("ns/a", d("x"), 10); // idempotent
        assertThat(store.linkedBlobSize("ns/a", d("x"))).hasValue(10);
        assertThat(store.linkedBlobSize("ns/b", d("x"))).isEmpty();
        assertThat(store.linkedBlobSizes("ns/a", List.of(d("x"), d("y")))).containsOnlyKeys(d("x"));
        assertThat(store.repositoryExists("ns/a")).isTrue();
        assertThat(store.unlinkBlob("ns/a", d("x"))).isTrue();
        assertThat(store.unlinkBlob("ns/a", d("x"))).isFalse();
        assertThat(store.linkedBlobSize("ns/a", d("x"))).isEmpty();
    }

    @Test
    void manifestsTagsAndDeletes() {
        ManifestRecord m = manifest("ns/app", "m1", null, List.of(d("config"), d("layer")));
        store.putManifest(m, "v1");
        store.putManifest(m, "latest");
        store.putManifest(m, List.of()); // idempotent
        assertThat(store.manifest("ns/app", m.digest())).get().satisfies(r -> {
            assertThat(r.mediaType()).isEqualTo(MediaTypes.OCI_MANIFEST);
            assertThat(r.totalSize()).isEqualTo(1234);
            assertThat(r.configDigest()).isEqualTo(d("config"));
            assertThat(r.created()).isEqualTo(Instant.parse("2024-03-04T05:06:07Z"));
        });
        assertThat(store.manifestByTag("ns/app", "v1")).get().extracting(ManifestRecord::digest).isEqualTo(m.digest());
        assertThat(store.manifest("ns/other", m.digest())).isEmpty();
        assertThat(store.tags("ns/app", null, 10)).containsExactly("latest", "v1");

        ManifestRecord m2 = manifest("ns/app", "m2", null, List.of());
        store.putManifest(m2, "v1"); // the tag moves
        assertThat(store.manifestByTag("ns/app", "v1")).get().extracting(ManifestRecord::digest).isEqualTo(m2.digest());

        assertThat(store.deleteTag("ns/app", "latest")).isTrue();
        assertThat(store.deleteTag("ns/app", "latest")).isFalse();
        assertThat(store.manifest("ns/app", m.digest())).isPresent();
        assertThat(store.deleteManifest("ns/app", m2.digest())).isTrue();
        assertThat(store.manifestByTag("ns/app", "v1")).isEmpty();
        assertThat(store.tags("ns/app", null, 10)).isEmpty();
        assertThat(store.deleteManifest("ns/app", m2.digest())).isFalse();
    }

    @Test
    void pagingIsLexicalAndStartsAfterLast() {
        ManifestRecord m = manifest("ns/page", "m", null, List.of());
        for (String t : List.of("b", "a", "B", "a1", "a10", "a2")) {
            store.putManifest(m, t);
        }
        assertThat(store.tags("ns/page", null, 100)).containsExactly("B", "a", "a1", "a10", "a2", "b");
        assertThat(store.tags("ns/page", "a1", 2)).containsExactly("a10", "a2");
        for (String r : List.of("z/z", "a/a", "m/m")) {
            store.linkBlob(r, d(r), 1);
        }
        assertThat(store.repositories(null, 100)).containsSubsequence("a/a", "m/m", "z/z");
        assertThat(store.repositories("m/m", 100)).doesNotContain("a/a", "m/m").contains("z/z");
    }

    @Test
    void referrersAndExistingManifests() {
        ManifestRecord subject = manifest("ns/r", "subject", null, List.of());
        ManifestRecord sig = manifest("ns/r", "sig", subject.digest(), List.of());
        store.putManifest(subject, "v1");
        store.putManifest(sig, List.of());
        assertThat(store.referrers("ns/r", subject.digest())).extracting(ManifestRecord::digest).containsExactly(sig.digest());
        assertThat(store.referrers("ns/other", subject.digest())).isEmpty();
        assertThat(store.existingManifests("ns/r", List.of(subject.digest(), d("nope")))).containsExactly(subject.digest());
    }

    @Test
    void imageListingIsOneQueryWithTagsAndUntaggedImages() {
        ManifestRecord a = manifest("team/app", "a", null, List.of());
        ManifestRecord b = manifest("team/app", "b", null, List.of());
        store.putManifest(a, "1.0");
        store.putManifest(a, "latest");
        store.putManifest(b, List.of());
        store.putManifest(manifest("other/app", "c", null, List.of()), "x");
        List<ImageRow> rows = store.images("team/");
        assertThat(rows).hasSize(3);
        assertThat(rows).extracting(ImageRow::tag).containsExactlyInAnyOrder("1.0", "latest", null);
        assertThat(rows).allSatisfy(r -> assertThat(r.namespace()).isEqualTo("team"));
        assertThat(store.images(null)).hasSize(4);
    }

    @Test
    void theListingsOrdersAreTotalSoItsPagesNeitherRepeatNorSkipAnImage() {
        // Jib's images all say they were created at the epoch: ties are the rule, not the exception
        List<Digest> all = new java.util.ArrayList<>();
        for (int i = 0; i < 7; i++) {
            ManifestRecord m = sized("tie/r" + (i % 3), "tie" + i, null, 5, "1970-01-01T00:00:00Z");
            store.putManifest(m, "t" + (i % 2));
            all.add(m.digest());
        }
        // names just past the prefix "tie/" ('0' follows '/'), and before it: not in the listing
        store.putManifest(sized("tie0/x", "past", null, 5, "1970-01-01T00:00:00Z"), "1");
        store.putManifest(sized("tie.x/y", "before", null, 5, "1970-01-01T00:00:00Z"), "1");
        store.putManifest(sized("tie", "bare", null, 5, "1970-01-01T00:00:00Z"), "1");
        long r0 = store.repositoryIds("tie/").get("tie/r0");
        long r1 = store.repositoryIds("tie/").get("tie/r1");
        for (List<Long> ids : java.util.Arrays.asList(null, List.of(r0, r1))) {
            List<Digest> expected = ids == null ? all : all.stream().filter(d -> !d.equals(all.get(2))
                    && !d.equals(all.get(5))).toList();
            MetadataStore.ImageQuery whole = new MetadataStore.ImageQuery("tie/", ids, null, "created", false, 0, 0);
            assertThat(store.imageCount(whole)).isEqualTo(expected.size());
            // a count that stops: exact up to where it stops, else "more than"
            assertThat(store.imagePage(whole, expected.size())).extracting(MetadataStore.ImagePage::total,
                    MetadataStore.ImagePage::more).containsExactly(expected.size(), false);
            assertThat(store.imagePage(whole, 3)).extracting(MetadataStore.ImagePage::total,
                    MetadataStore.ImagePage::more).containsExactly(3, true);
            // past the end, with a count that stops after it: the last page
            assertThat(store.imagePage(new MetadataStore.ImageQuery("tie/", ids, null, "created", false, 40, 2), 100)
                    .images()).hasSize(expected.size() % 2 == 0 ? 2 : 1);
            for (String sort : List.of("created", "size", "repository", "namespace", "tags")) {
                for (boolean ascending : List.of(true, false)) {
                    List<Digest> seen = new java.util.ArrayList<>();
                    for (int offset = 0; offset < expected.size(); offset += 2) {
                        MetadataStore.ImagePage page = store.imagePage(new MetadataStore.ImageQuery("tie/", ids, null, sort,
                                ascending, offset, 2));
                        assertThat(page.total()).isEqualTo(expected.size());
                        page.images().forEach(g -> seen.add(g.digest()));
                    }
                    assertThat(seen).as(sort + (ascending ? " ascending" : " descending") + " " + ids)
                            .containsExactlyInAnyOrderElementsOf(expected);
                    // the later pages are read from the other end: still the order of one whole page
                    assertThat(seen).as(sort + (ascending ? " ascending" : " descending") + " " + ids + " in order")
                            .containsExactlyElementsOf(store.imagePage(new MetadataStore.ImageQuery("tie/", ids, null,
                                    sort, ascending, 0, 100)).images().stream().map(MetadataStore.ImageGroup::digest)
                                    .toList());
                }
            }
        }
    }

    @Test
    void theListingFollowsEveryWriteOfATag() {
        ManifestRecord a = sized("move/r", "a", null, 1, "2026-01-01T00:00:00Z");
        ManifestRecord b = sized("move/r", "b", null, 2, "2026-01-02T00:00:00Z");
        ManifestRecord referrer = sized("move/r", "referrer", a.digest(), 3, "2026-01-03T00:00:00Z");
        ManifestRecord sig = sized("move/r", "sig", null, 4, "2026-01-04T00:00:00Z");
        store.putManifest(a, List.of("zeta"));
        store.putManifest(b, List.of("alpha"));
        store.putManifest(referrer, List.of());
        store.putManifest(sig, List.of(a.digest().tagForm() + ".sig"));
        MetadataStore.ImageQuery byTag = new MetadataStore.ImageQuery("move/", null, null, "tags", true, 0, 10);
        assertThat(listed(byTag)).containsExactly(b.digest() + " [alpha]", a.digest() + " [zeta]");
        // a tag moved from b to a: b is an untagged image (first), a's first tag is now "alpha"
        store.putManifest(a, List.of("alpha"));
        assertThat(listed(byTag)).containsExactly(b.digest() + " []", a.digest() + " [alpha, zeta]");
        // a tag deleted: a's first tag is "zeta" again
        assertThat(store.deleteTag("move/r", "alpha")).isTrue();
        assertThat(store.deleteTag("move/r", "alpha")).isFalse();
        assertThat(store.deleteTag("move/nowhere", "zeta")).isFalse();
        assertThat(listed(byTag)).containsExactly(b.digest() + " []", a.digest() + " [zeta]");
        // a referrer tagged is an image of its own, and untagged again an attachment
        store.putManifest(referrer, List.of("0.1"));
        assertThat(listed(byTag)).containsExactly(b.digest() + " []", referrer.digest() + " [0.1]",
                a.digest() + " [zeta]");
        store.deleteTag("move/r", "0.1");
        // cosign's signature tag moved onto b: b is now what cosign attached, not an image, and the old
        // signature, its tag gone and referring to nothing, an untagged image of its own
        store.putManifest(b, List.of(a.digest().tagForm() + ".sig"));
        assertThat(listed(byTag)).containsExactly(sig.digest() + " []", a.digest() + " [zeta]");
        assertThat(store.imageCount(byTag)).isEqualTo(2);
        store.deleteManifest("move/r", a.digest());
        assertThat(listed(byTag)).containsExactly(sig.digest() + " []");
    }

    /**
     * Migration V16 computes the listing tag of manifests written before it with the expression the
     * writes keep it by since: run again over what the writes kept, it changes nothing.
     */
    @Test
    void theListingTagsMigrationComputesWhatTheWritesKeep() throws Exception {
        ManifestRecord a = sized("mig/r", "a", null, 1, "2026-01-01T00:00:00Z");
        store.putManifest(a, List.of("v2", "v1"));
        store.putManifest(sized("mig/r", "untagged", null, 1, "2026-01-01T00:00:00Z"), List.of());
        store.putManifest(sized("mig/r", "referrer", a.digest(), 1, "2026-01-01T00:00:00Z"), List.of());
        store.putManifest(sized("mig/r", "sig", null, 1, "2026-01-01T00:00:00Z"), List.of(a.digest().tagForm() + ".sig"));
        store.putManifest(sized("mig/r", "both", null, 1, "2026-01-01T00:00:00Z"),
                List.of(d("x").tagForm() + ".att", "zz"));
        String select = "SELECT digest, COALESCE(listing_tag, 'NULL') FROM manifests ORDER BY digest";
        String migration = Migrations.statements(Migrations.read(dialect().folder + "V16__listing_tag.sql")).stream()
                .filter(sql -> sql.startsWith("UPDATE")).findFirst().orElseThrow();
        try (java.sql.Connection c = connect(); java.sql.Statement st = c.createStatement()) {
            List<String> kept = rows(st, select);
            assertThat(kept).containsExactlyInAnyOrder(d("a") + " v1", d("untagged") + " ", d("referrer") + " NULL",
                    d("sig") + " NULL", d("both") + " zz");
            st.executeUpdate("UPDATE manifests SET listing_tag = 'stale'");
            assertThat(st.executeUpdate(migration)).isEqualTo(5);
            assertThat(rows(st, select)).isEqualTo(kept);
        }
    }

    private static List<String> rows(java.sql.Statement st, String sql) throws java.sql.SQLException {
        List<String> rows = new ArrayList<>();
        try (java.sql.ResultSet rs = st.executeQuery(sql)) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return rows;
    }

    private List<String> listed(MetadataStore.ImageQuery q) {
        return store.imagePage(q).images().stream().map(g -> g.digest() + " " + g.tags()).toList();
    }

    static ManifestRecord sized(String repo, String content, Digest subject, long size, String created) {
        Instant t = Instant.parse(created);
        return new ManifestRecord(repo, d(content), MediaTypes.OCI_MANIFEST, content.length(), d("config"), null, subject,
                null, size, t, t, List.of());
    }

    @Test
    void theConsolesPagedListingGroupsTagsHidesAttachmentsSortsSearchesAndCounts() {
        ManifestRecord web = sized("shop/web", "web", null, 300, "2026-01-03T00:00:00Z");
        ManifestRecord api = sized("shop/api", "api", null, 100, "2026-01-01T00:00:00Z");
        ManifestRecord bare = sized("shop/api", "bare", null, 200, "2026-01-02T00:00:00Z");
        store.putManifest(web, List.of("1.0", "latest"));
        store.putManifest(api, List.of("v2_beta"));
        store.putManifest(bare, List.of()); // untagged, refers to nothing: an image of its own
        // cosign's signature (tagged sha256-<hex>.sig) and an OCI referrer of web: attachments, not images
        ManifestRecord sig = sized("shop/web", "sig", null, 10, "2026-01-04T00:00:00Z");
        store.putManifest(sig, List.of(web.digest().tagForm() + ".sig"));
        ManifestRecord sbom = sized("shop/web", "sbom", web.digest(), 10, "2026-01-05T00:00:00Z");
        store.putManifest(sbom, List.of());
        store.putManifest(sized("else/x", "x", null, 1, "2026-01-06T00:00:00Z"), "1");

        MetadataStore.ImagePage page = store.imagePage(new MetadataStore.ImageQuery("shop/", null, null, "created", false,
                0, 2));
        assertThat(page.total()).isEqualTo(3);
        assertThat(page.images()).extracting(MetadataStore.ImageGroup::digest).containsExactly(web.digest(), bare.digest());
        assertThat(page.images().get(0).tags()).containsExactly("1.0", "latest");
        assertThat(page.images().get(1).tags()).isEmpty();
        // the last page, and an offset beyond the end answers the last page too
        assertThat(store.imagePage(new MetadataStore.ImageQuery("shop/", null, null, "created", false, 2, 2)).images())
                .extracting(MetadataStore.ImageGroup::digest).containsExactly(api.digest());
        assertThat(store.imagePage(new MetadataStore.ImageQuery("shop/", null, null, "created", false, 50, 2)).images())
                .extracting(MetadataStore.ImageGroup::digest).containsExactly(api.digest());
        assertThat(store.imagePage(new MetadataStore.ImageQuery("shop/", null, null, "size", true, 0, 10)).images())
                .extracting(MetadataStore.ImageGroup::size).containsExactly(100L, 200L, 300L);
        // search: repository or tag, ignoring case; "_" is a character, not a wildcard
        assertThat(store.imagePage(new MetadataStore.ImageQuery(null, null, "V2_B", "created", false, 0, 10)).images())
                .extracting(MetadataStore.ImageGroup::digest).containsExactly(api.digest());
        assertThat(store.imagePage(new MetadataStore.ImageQuery(null, null, "1_0", "created", false, 0, 10)).total())
                .isZero();
        assertThat(store.imagePage(new MetadataStore.ImageQuery(null, null, "sig", "created", false, 0, 10)).total())
                .isZero();
        // only the repositories named
        long apiId = store.repositoryIds("shop/").get("shop/api");
        assertThat(store.repositoryIds("shop/")).containsOnlyKeys("shop/api", "shop/web");
        assertThat(store.imagePage(new MetadataStore.ImageQuery(null, List.of(apiId), null, "tags", true, 0, 10))
                .images()).extracting(MetadataStore.ImageGroup::digest).containsExactly(bare.digest(), api.digest());
        assertThat(store.imagePage(new MetadataStore.ImageQuery(null, List.of(), null, "tags", true, 0, 10)).total())
                .isZero();

        long webId = store.repositoryIds("shop/").get("shop/web");
        assertThat(store.attachments(java.util.Map.of(webId, List.of(web.digest()), apiId, List.of(api.digest()))))
                .extracting(MetadataStore.Attachment::kind, MetadataStore.Attachment::subject)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("sig", web.digest()),
                        org.assertj.core.groups.Tuple.tuple("referrer", web.digest()));
    }

    @Test
    void uploadSessions() {
        Instant old = Instant.parse("2020-01-01T00:00:00Z");
        store.createUpload(new UploadSession("11111111-1111-1111-1111-111111111111", "ns/u", old));
        store.createUpload(new UploadSession("22222222-2222-2222-2222-222222222222", "ns/u", Instant.now()));
        assertThat(store.upload("11111111-1111-1111-1111-111111111111")).get()
                .extracting(UploadSession::repository).isEqualTo("ns/u");
        assertThat(store.uploadsStartedBefore(Instant.parse("2021-01-01T00:00:00Z")))
                .extracting(UploadSession::id).containsExactly("11111111-1111-1111-1111-111111111111");
        assertThat(store.deleteUpload("11111111-1111-1111-1111-111111111111")).isTrue();
        assertThat(store.upload("11111111-1111-1111-1111-111111111111")).isEmpty();
    }

    @Test
    void concurrentWritersToOneTagLeaveOneConsistentAnswer() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    store.linkBlob("ns/race", d("blob" + n), n);
                    store.putManifest(manifest("ns/race", "m" + n, null, List.of(d("blob" + n))), "latest");
                }));
            }
            for (Future<?> f : futures) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.tags("ns/race", null, 10)).containsExactly("latest");
        ManifestRecord latest = store.manifestByTag("ns/race", "latest").orElseThrow();
        assertThat(store.manifest("ns/race", latest.digest())).isPresent();
        assertThat(store.images("ns/race")).hasSize(200);
    }
}
