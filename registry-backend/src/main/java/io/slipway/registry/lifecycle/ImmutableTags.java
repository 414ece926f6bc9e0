package io.slipway.registry.lifecycle;

import io.slipway.oci.Digest;
import io.slipway.registry.distribution.StorageGuard;
import io.slipway.registry.metadata.ImageRow;
import io.slipway.registry.metadata.ManifestRecord;
import io.slipway.registry.metadata.MetadataStore;
import io.slipway.registry.tenancy.TenancyException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Immutable tags: a tag matching a rule of its namespace or repository, once set, is never moved
 * to another image and never removed (nor is the image it names). The one judgement every path
 * that moves or removes a tag asks — manifest PUT, tag and manifest DELETE, {@code image-tag},
 * {@code image-rm}, retention — so they cannot disagree. It fails closed: a rule store it cannot
 * read refuses the change (the error reaches the client), and two nodes setting one immutable tag
 * to two images at once agree through a claim row, so the second is refused.
 */
public final class ImmutableTags {
    /** A claim older than this whose tag never appeared belongs to a push that did not land. */
    static final long STALE_CLAIM_MILLIS = 5 * 60_000L;
    private static final Pattern GLOB = Pattern.compile("[A-Za-z0-9_.*?-]{1,128}");

    private final LifecycleStore store;
    private final MetadataStore metadata;
    private final Accounts accounts;

    ImmutableTags(LifecycleStore store, MetadataStore metadata, Accounts accounts) {
        this.store = store;
        this.metadata = metadata;
        this.accounts = accounts;
    }

    /** Refuses a glob that could never match a tag, or one with other wildcards than {@code *} and {@code ?}. */
    static String validGlob(String glob) {
        if (glob == null || !GLOB.matcher(glob).matches()) {
            throw TenancyException.invalid("an immutable-tag rule is a glob of tag characters (A-Z a-z 0-9 _ . -) "
                    + "with * for any run and ? for one character, at most 128 long");
        }
        return glob;
    }

    static boolean matches(String glob, String tag) {
        StringBuilder re = new StringBuilder();
        for (char ch : glob.toCharArray()) {
            re.append(switch (ch) {
                case '*' -> ".*";
                case '?' -> ".";
                default -> Pattern.quote(String.valueOf(ch));
            });
        }
        return tag.matches(re.toString());
    }

    /** The rule that makes {@code tag} of {@code repository} immutable, if any (the repository's own first). */
    Optional<LifecycleStore.Rule> ruleFor(String repository, String tag) {
        Accounts.Owner owner = accounts.owner(repository);
        if (owner == null) {
            return Optional.empty(); // no namespace owns it: no rule can be set on it (an open registry)
        }
        List<LifecycleStore.Rule> rules = store.rulesFor(owner.accountId(), owner.namespace(), repository);
        return rules.stream().filter(r -> matches(r.glob(), tag))
                .sorted((a, b) -> Boolean.compare(b.scope().equals(repository), a.scope().equals(repository)))
                .findFirst();
    }

    /** Before {@code tags} point at {@code digest}: none of them may be an immutable tag naming another image. */
    void beforeTagging(String repository, List<String> tags, Digest digest) {
        for (String tag : tags) {
            Optional<LifecycleStore.Rule> rule = ruleFor(repository, tag);
            if (rule.isEmpty()) {
                continue;
            }
            Optional<ManifestRecord> current = metadata.manifestByTag(repository, tag);
            if (current.isPresent()) {
                if (!current.get().digest().equals(digest)) {
                    throw denied(repository, tag, rule.get(), "cannot be moved to another image");
                }
                continue;
            }
            if (!store.claim(repository, tag, digest, STALE_CLAIM_MILLIS).equals(digest.toString())) {
                throw denied(repository, tag, rule.get(), "is being set to another image");
            }
        }
    }

    void beforeUntagging(String repository, String tag) {
        Optional<LifecycleStore.Rule> rule = ruleFor(repository, tag);
        if (rule.isPresent() && metadata.manifestByTag(repository, tag).isPresent()) {
            throw denied(repository, tag, rule.get(), "cannot be deleted");
        }
    }

    /** An image may go only when none of its tags is immutable. */
    void beforeManifestDelete(String repository, Digest digest) {
        for (ImageRow row : metadata.images(repository)) {
            if (row.repository().equals(repository) && row.digest().equals(digest) && row.tag() != null) {
                Optional<LifecycleStore.Rule> rule = ruleFor(repository, row.tag());
                if (rule.isPresent()) {
                    throw denied(repository, row.tag(), rule.get(), "cannot be deleted, nor the image it names");
                }
            }
        }
    }

    private static StorageGuard.Refusal denied(String repository, String tag, LifecycleStore.Rule rule, String what) {
        return new StorageGuard.Refusal("tag " + tag + " of " + repository + " is immutable (rule \""
                + rule.glob() + "\" on " + rule.scope() + ") and " + what);
    }
}
