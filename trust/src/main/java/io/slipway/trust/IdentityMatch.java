package io.slipway.trust;

import java.util.Locale;
import java.util.Objects;

/**
 * How the identity a signature claims ({@code critical.identity.docker-reference}) must relate to
 * the reference of the image being checked: the {@code signedIdentity} rules of
 * containers-policy.json, each with containers/image's semantics. A signature that passes the
 * cryptographic check still proves nothing about an image it does not name, so this check is never
 * skipped.
 *
 * <p>Both references are normalized {@link DockerReference}s. What a signature claims is read by
 * {@link SignaturePayload#claimedIdentity()}: for a cosign payload whose reference names only a
 * repository (what cosign 2.x writes) that is the repository at the signed digest.
 */
public sealed interface IdentityMatch {

    /** Both references must be identical, and both must carry a tag or a digest. */
    IdentityMatch MATCH_EXACT = new MatchExact();
    /**
     * When the image is referenced by a tag, as {@link #MATCH_EXACT}; when by digest alone, the
     * repositories must match (the digest itself is compared against the manifest separately). The
     * default of containers-policy.json, since it lets one signature cover every {@code @digest} pull.
     */
    IdentityMatch MATCH_REPO_DIGEST_OR_EXACT = new MatchRepoDigestOrExact();
    /** Only the repositories must match: a signature for {@code app:v1} also covers {@code app:v2}. */
    IdentityMatch MATCH_REPOSITORY = new MatchRepository();

    /** The {@code type} of this rule in containers-policy.json and in Slipway's policy YAML. */
    String policyName();

    /** True when a signature claiming {@code signed} may stand for the image known as {@code image}. */
    boolean matches(DockerReference image, DockerReference signed);

    /** The rule and its parameters, as a decision message shows them. */
    default String describe() {
        return policyName();
    }

    /** The parameterless rule called {@code name} (case-insensitive). */
    static IdentityMatch fromPolicyName(String name) {
        String n = name == null ? "" : name.toLowerCase(Locale.ROOT);
        for (IdentityMatch m : new IdentityMatch[] {MATCH_EXACT, MATCH_REPO_DIGEST_OR_EXACT, MATCH_REPOSITORY}) {
            if (m.policyName().toLowerCase(Locale.ROOT).equals(n)) {
                return m;
            }
        }
        if (n.equals("exactreference") || n.equals("exactrepository") || n.equals("remapidentity")) {
            throw new IllegalArgumentException("signedIdentity \"" + name + "\" takes parameters: write it as a mapping"
                    + " with type: " + name + " and its fields");
        }
        throw new IllegalArgumentException("unknown signedIdentity \"" + name + "\" (expected matchExact,"
                + " matchRepoDigestOrExact, matchRepository, exactReference, exactRepository or remapIdentity)");
    }

    /** containers/image's {@code matchExact}. */
    record MatchExact() implements IdentityMatch {
        @Override
        public String policyName() {
            return "matchExact";
        }

        @Override
        public boolean matches(DockerReference image, DockerReference signed) {
            return !image.isNameOnly() && !signed.isNameOnly() && image.toString().equals(signed.toString());
        }
    }

    /** containers/image's {@code matchRepoDigestOrExact}. */
    record MatchRepoDigestOrExact() implements IdentityMatch {
        @Override
        public String policyName() {
            return "matchRepoDigestOrExact";
        }

        @Override
        public boolean matches(DockerReference image, DockerReference signed) {
            return repoDigestOrExact(image, signed);
        }
    }

    /** containers/image's {@code matchRepository}. */
    record MatchRepository() implements IdentityMatch {
        @Override
        public String policyName() {
            return "matchRepository";
        }

        @Override
        public boolean matches(DockerReference image, DockerReference signed) {
            return image.name().equals(signed.name());
        }
    }

    /**
     * containers/image's {@code exactReference}: the signature must claim exactly
     * {@code dockerReference} (which names a tag or a digest), whatever the image is called here.
     */
    record ExactReference(DockerReference dockerReference) implements IdentityMatch {
        public ExactReference {
            Objects.requireNonNull(dockerReference, "dockerReference");
            if (dockerReference.isNameOnly()) {
                throw new IllegalArgumentException("exactReference needs a tag or a digest in dockerReference ("
                        + dockerReference + " names only a repository)");
            }
        }

        @Override
        public String policyName() {
            return "exactReference";
        }

        @Override
        public boolean matches(DockerReference image, DockerReference signed) {
            return !signed.isNameOnly() && signed.toString().equals(dockerReference.toString());
        }

        @Override
        public String describe() {
            return "exactReference " + dockerReference;
        }
    }

    /**
     * containers/image's {@code exactRepository}: the signature must claim {@code dockerRepository}
     * (any tag or digest), whatever the image is called here.
     */
    record ExactRepository(DockerReference dockerRepository) implements IdentityMatch {
        public ExactRepository {
            Objects.requireNonNull(dockerRepository, "dockerRepository");
            if (!dockerRepository.isNameOnly()) {
                throw new IllegalArgumentException("exactRepository takes a repository without tag or digest, not "
                        + dockerRepository);
            }
        }

        @Override
        public String policyName() {
            return "exactRepository";
        }

        @Override
        public boolean matches(DockerReference image, DockerReference signed) {
            return signed.name().equals(dockerRepository.name());
        }

        @Override
        public String describe() {
            return "exactRepository " + dockerRepository.name();
        }
    }

    /**
     * containers/image's {@code remapIdentity}: when the image's reference starts with
     * {@code prefix}, that part is replaced by {@code signedPrefix} before the comparison of
     * {@link #MATCH_REPO_DIGEST_OR_EXACT}; otherwise the reference is compared as it is. This is how
     * a copy keeps its signatures: a signature made for {@code host/dev/app} covers the copy
     * {@code host/prod/app@digest} under {@code prefix: host/prod, signedPrefix: host/dev}.
     *
     * <p>Both prefixes are a host ({@code host[:port]}), a namespace or a repository, never with a
     * tag or digest, written with an explicit host. A prefix matches the reference when it is the
     * whole name or is followed by {@code /}, or (unless it is a bare host) by {@code :} or {@code @}.
     */
    record RemapIdentity(String prefix, String signedPrefix) implements IdentityMatch {
        public RemapIdentity {
            checkPrefix("prefix", prefix);
            checkPrefix("signedPrefix", signedPrefix);
        }

        @Override
        public String policyName() {
            return "remapIdentity";
        }

        @Override
        public boolean matches(DockerReference image, DockerReference signed) {
            DockerReference intended = image;
            String text = image.toString();
            if (prefixMatches(text, prefix)) {
                try {
                    intended = DockerReference.parse(signedPrefix + text.substring(prefix.length()));
                } catch (IllegalArgumentException e) {
                    return false; // the remapped name is not a valid reference: it names nothing
                }
            }
            return repoDigestOrExact(intended, signed);
        }

        @Override
        public String describe() {
            return "remapIdentity " + prefix + " -> " + signedPrefix;
        }

        private static boolean prefixMatches(String reference, String prefix) {
            if (!reference.startsWith(prefix)) {
                return false;
            }
            if (reference.length() == prefix.length()) {
                return true;
            }
            char next = reference.charAt(prefix.length());
            boolean host = prefix.indexOf('/') < 0;
            // A bare host must be followed by the path: "example.com" must not cover "example.com:5000".
            return next == '/' || (!host && (next == ':' || next == '@'));
        }

        private static void checkPrefix(String field, String value) {
            if (value == null || value.isBlank()) {
                throw new IllegalArgumentException("remapIdentity needs " + field);
            }
            if (value.contains("@") || value.endsWith("/")) {
                throw new IllegalArgumentException("remapIdentity " + field + " \"" + value
                        + "\" must be a host, namespace or repository (no digest, no trailing /)");
            }
            int slash = value.indexOf('/');
            if (slash >= 0 && value.lastIndexOf(':') > slash) {
                throw new IllegalArgumentException("remapIdentity " + field + " \"" + value + "\" must not name a tag");
            }
            String host = slash < 0 ? value : value.substring(0, slash);
            if (!(host.contains(".") || host.contains(":") || host.equals("localhost") || host.startsWith("["))) {
                throw new IllegalArgumentException("remapIdentity " + field + " \"" + value
                        + "\" must start with a registry host (e.g. registry.example:5000/team)");
            }
        }
    }

    /** The comparison of matchRepoDigestOrExact, shared with remapIdentity as in containers/image. */
    private static boolean repoDigestOrExact(DockerReference image, DockerReference signed) {
        if (signed.isNameOnly()) {
            return false;
        }
        if (image.tag() != null) {
            return image.toString().equals(signed.toString());
        }
        return image.digest() != null && image.name().equals(signed.name());
    }
}
