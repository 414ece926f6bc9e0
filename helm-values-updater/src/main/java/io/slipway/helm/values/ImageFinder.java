package io.slipway.helm.values;

import io.slipway.helm.values.ImageKeys.Role;
import io.slipway.helm.values.ValuesException.Reason;
import io.slipway.helm.values.ValuesFile.Leaf;
import io.slipway.oci.Reference;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Decides where in a values file an image is written, in this order:
 * <ol>
 *   <li>the keys the user named ({@link ImageKeys});</li>
 *   <li>marker comments in the file, Flux style: {@code tag: v1 # {"$slipway": "api:tag"}} names
 *       the key holding the tag of the image {@code api}; roles are {@code registry},
 *       {@code repository}, {@code tag}, {@code digest}, and no role marks a whole-string key;</li>
 *   <li>the one image key whose current repository has the deployed image's repository name,
 *       ignoring the registry host ({@code docker.io/bitnami/nginx} for {@code 127.0.0.1:5000/team/nginx}):
 *       the same path first, else the same last name. None or several are refused with the
 *       candidates listed.</li>
 * </ol>
 * The file is read together with the chart's own values.yaml when given (an environment's file
 * often overrides only some keys): a key the chart's defaults have may be written into the
 * environment's file, as Helm reads it there too. The shape it returns writes only keys that
 * exist in one of the two, unless the user named them.
 */
public final class ImageFinder {
    private static final Pattern MARKER = Pattern.compile("\\{\\s*\"\\$slipway\"\\s*:\\s*\"([^\"]+)\"\\s*}");
    private static final List<String> REPOSITORY_KEYS = List.of("repository", "image", "name");
    private static final List<String> DIGEST_KEYS = List.of("digest", "sha");
    private static final Pattern HEX = Pattern.compile("[0-9a-f]{64}");

    private final Map<ValuesPath, Leaf> leaves = new LinkedHashMap<>();

    /**
     * @param file          the values file to edit
     * @param chartDefaults the chart's values.yaml, or null when unknown
     */
    public ImageFinder(ValuesFile file, ValuesFile chartDefaults) {
        if (chartDefaults != null) {
            chartDefaults.leaves().forEach(l -> leaves.put(l.path(), l));
        }
        // The edited file's value wins; a marker on either line counts.
        for (Leaf l : file.leaves()) {
            Leaf base = leaves.get(l.path());
            String comment = !l.comment().isEmpty() || base == null ? l.comment() : base.comment();
            leaves.put(l.path(), new Leaf(l.path(), l.value(), comment, l.line()));
        }
    }

    /** The alias an image has when none was given: its repository's last name ({@code team/api} is {@code api}). */
    public static String defaultAlias(Reference ref) {
        String repository = ref.repository();
        return repository.substring(repository.lastIndexOf('/') + 1);
    }

    /** Where {@code ref} goes: from {@code keys} when given (may be null), else markers, else the matching image key. */
    public ImageUpdate locate(String alias, Reference ref, ImageKeys keys) {
        String name = alias == null || alias.isEmpty() ? defaultAlias(ref) : alias;
        if (keys != null) {
            return new ImageUpdate(name, ref, keys.block() != null ? fromBlock(keys.block(), name) : fromRoles(keys.roles(), name));
        }
        Map<Role, ValuesPath> marked = markers(name);
        if (!marked.isEmpty()) {
            return new ImageUpdate(name, ref, fromRoles(marked, name));
        }
        return new ImageUpdate(name, ref, find(name, ref));
    }

    /**
     * Where the image a file deploys is, when there is no reference to match by (promotion reads
     * the source environment): the keys named, else markers of {@code alias} (any alias when
     * null and only one is marked), else the file's only image key; several are refused.
     */
    public ImageShape deployed(String alias, ImageKeys keys) {
        if (keys != null) {
            return keys.block() != null ? fromBlock(keys.block(), String.valueOf(alias)) : fromRoles(keys.roles(), String.valueOf(alias));
        }
        java.util.Set<String> aliases = new java.util.LinkedHashSet<>();
        for (Leaf l : leaves.values()) {
            Matcher m = MARKER.matcher(l.comment());
            if (m.find()) {
                aliases.add(m.group(1).split(":", 2)[0]);
            }
        }
        String marked = alias != null ? alias : aliases.size() == 1 ? aliases.iterator().next() : null;
        if (marked != null && aliases.contains(marked)) {
            return fromRoles(markers(marked), marked);
        }
        List<Candidate> all = candidates();
        if (all.size() == 1) {
            return all.get(0).shape();
        }
        throw new ValuesException(all.isEmpty() ? Reason.NO_IMAGE_KEY : Reason.AMBIGUOUS_IMAGE_KEY,
                (all.isEmpty() ? "the values hold no image key" : "the values hold " + all.size() + " images: " + describe(all))
                + "; name the one to promote with --key PATH (Jenkins keys:, Tekton KEYS)"
                + (aliases.size() > 1 ? " or its marker alias (" + String.join(", ", aliases) + ")" : ""));
    }

    // --- named keys --------------------------------------------------------------------------

    private ImageShape fromRoles(Map<Role, ValuesPath> roles, String alias) {
        if (roles.containsKey(Role.IMAGE)) {
            return new ImageShape.Single(roles.get(Role.IMAGE));
        }
        ValuesPath repository = roles.get(Role.REPOSITORY);
        if (repository == null) {
            throw new ValuesException(Reason.NO_IMAGE_KEY, alias + ": the keys named give no repository; name it (repository=PATH)");
        }
        ValuesPath tag = roles.getOrDefault(Role.TAG, sibling(repository, "tag"));
        ValuesPath digest = roles.get(Role.DIGEST);
        return ImageShape.Split.of(roles.get(Role.REGISTRY), repository, tag, digest, digestFormat(digest));
    }

    private ImageShape fromBlock(ValuesPath block, String alias) {
        if (leaves.containsKey(block)) {
            return new ImageShape.Single(block);
        }
        Map<String, Leaf> children = children(block);
        if (children.isEmpty()) {
            throw new ValuesException(Reason.NO_IMAGE_KEY, alias + ": the values have no image at " + block
                    + (candidates().isEmpty() ? "" : "; image keys there: " + describe(candidates())));
        }
        Optional<ImageShape.Split> shape = blockShape(block, children);
        return shape.orElseThrow(() -> new ValuesException(Reason.NO_IMAGE_KEY, alias + ": " + block
                + " has no repository and tag keys (it has " + String.join(", ", children.keySet())
                + "); name them: repository=PATH, tag=PATH"));
    }

    /** The split shape of an image block, from the keys it has, or empty when it is not one. */
    private Optional<ImageShape.Split> blockShape(ValuesPath block, Map<String, Leaf> children) {
        Leaf repository = null;
        for (String key : REPOSITORY_KEYS) {
            Leaf l = children.get(key);
            if (l != null && !l.value().isEmpty()) {
                repository = l;
                break;
            }
        }
        if (repository == null && children.containsKey("repository")) {
            repository = children.get("repository");
        }
        Leaf tag = children.get("tag");
        if (repository == null || tag == null) {
            return Optional.empty();
        }
        Leaf registry = children.get("registry");
        Leaf digest = DIGEST_KEYS.stream().map(children::get).filter(java.util.Objects::nonNull).findFirst().orElse(null);
        ValuesPath digestPath = digest == null ? null : digest.path();
        return Optional.of(ImageShape.Split.of(registry == null ? null : registry.path(), repository.path(), tag.path(),
                digestPath, digestFormat(digestPath)));
    }

    /**
     * The chart's format for its digest key: the key's current value says it ({@code sha256:…} or
     * 64 hex digits); an empty one is hex when the key is named {@code sha} (grafana writes
     * {@code @sha256:{{ .sha }}}), else {@code sha256:…} (bitnami, prometheus, ingress-nginx).
     */
    private ImageShape.DigestFormat digestFormat(ValuesPath digest) {
        if (digest == null) {
            return ImageShape.DigestFormat.PREFIXED;
        }
        Leaf current = leaves.get(digest);
        String value = current == null ? "" : current.value();
        if (value.startsWith("sha256:")) {
            return ImageShape.DigestFormat.PREFIXED;
        }
        if (HEX.matcher(value).matches()) {
            return ImageShape.DigestFormat.HEX;
        }
        ValuesPath.Segment last = digest.segments().get(digest.segments().size() - 1);
        return last instanceof ValuesPath.Key k && k.name().equalsIgnoreCase("sha")
                ? ImageShape.DigestFormat.HEX : ImageShape.DigestFormat.PREFIXED;
    }

    // --- markers -----------------------------------------------------------------------------

    private Map<Role, ValuesPath> markers(String alias) {
        Map<Role, ValuesPath> roles = new EnumMap<>(Role.class);
        for (Leaf l : leaves.values()) {
            Matcher m = MARKER.matcher(l.comment());
            if (!m.find()) {
                continue;
            }
            String[] parts = m.group(1).split(":", 2);
            if (!parts[0].equals(alias)) {
                continue;
            }
            Role role;
            try {
                role = parts.length == 1 ? Role.IMAGE : Role.parse(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new ValuesException(Reason.INVALID_PATH, "the marker at line " + l.line() + " names the role \"" + parts[1]
                        + "\"; roles are registry, repository, tag, digest (none for a whole-string key)");
            }
            if (roles.put(role, l.path()) != null) {
                throw new ValuesException(Reason.AMBIGUOUS_IMAGE_KEY, "two markers name " + m.group(1) + " (the second at line " + l.line() + ")");
            }
        }
        if (!roles.isEmpty() && !roles.containsKey(Role.IMAGE) && !roles.containsKey(Role.REPOSITORY)) {
            throw new ValuesException(Reason.NO_IMAGE_KEY, "markers for " + alias + " name no repository key; mark it {\"$slipway\": \""
                    + alias + ":repository\"}");
        }
        if (roles.containsKey(Role.IMAGE) && roles.size() > 1) {
            throw new ValuesException(Reason.AMBIGUOUS_IMAGE_KEY, "markers for " + alias + " name a whole-string key and other keys");
        }
        return roles;
    }

    // --- finding -----------------------------------------------------------------------------

    /** An image the values hold now: where, its shape, and the reference (or name) it describes. */
    record Candidate(ValuesPath path, ImageShape shape, Reference current) {
        @Override
        public String toString() {
            return path + " (" + current + ")";
        }
    }

    private ImageShape find(String alias, Reference ref) {
        List<Candidate> all = candidates();
        List<Candidate> samePath = new ArrayList<>();
        List<Candidate> sameName = new ArrayList<>();
        String wantedName = defaultAlias(ref);
        for (Candidate c : all) {
            if (c.current().repository().equals(ref.repository())) {
                samePath.add(c);
            } else if (defaultAlias(c.current()).equals(wantedName)) {
                sameName.add(c);
            }
        }
        List<Candidate> matches = samePath.isEmpty() ? sameName : samePath;
        if (matches.size() == 1) {
            return matches.get(0).shape();
        }
        String hint = "; name the key with --key " + (matches.isEmpty() ? "PATH" : matches.get(0).path().toString())
                + " (Jenkins keys:, Tekton KEYS), or mark it in the file with # {\"$slipway\": \"" + alias + "\"}";
        if (matches.isEmpty()) {
            throw new ValuesException(Reason.NO_IMAGE_KEY, alias + ": no image in the values has the repository "
                    + ref.repository() + " or the name " + wantedName + (all.isEmpty() ? " (the values hold no image key)"
                    : "; image keys there: " + describe(all)) + hint);
        }
        throw new ValuesException(Reason.AMBIGUOUS_IMAGE_KEY, alias + ": " + matches.size() + " images in the values match "
                + ref.repository() + ": " + describe(matches) + hint);
    }

    List<Candidate> candidates() {
        Map<ValuesPath, Map<String, Leaf>> byParent = new LinkedHashMap<>();
        for (Leaf l : leaves.values()) {
            List<ValuesPath.Segment> s = l.path().segments();
            if (s.size() > 1 && s.get(s.size() - 1) instanceof ValuesPath.Key k) {
                byParent.computeIfAbsent(l.path().prefix(s.size() - 1), p -> new LinkedHashMap<>()).put(k.name(), l);
            }
        }
        List<Candidate> out = new ArrayList<>();
        for (Map.Entry<ValuesPath, Map<String, Leaf>> e : byParent.entrySet()) {
            Optional<ImageShape.Split> block = blockShape(e.getKey(), e.getValue());
            if (block.isPresent()) {
                current(block.get()).ifPresent(ref -> out.add(new Candidate(e.getKey(), block.get(), ref)));
            }
        }
        for (Leaf l : leaves.values()) {
            List<ValuesPath.Segment> s = l.path().segments();
            boolean imageKey = s.get(s.size() - 1) instanceof ValuesPath.Key k && k.name().toLowerCase(Locale.ROOT).endsWith("image");
            boolean inBlock = s.size() > 1 && out.stream().anyMatch(c -> c.path().equals(l.path().prefix(s.size() - 1)));
            if (imageKey && !inBlock && !l.value().isEmpty()) {
                parse(l.value()).ifPresent(ref -> out.add(new Candidate(l.path(), new ImageShape.Single(l.path()), ref)));
            }
        }
        return out;
    }

    private Optional<Reference> current(ImageShape.Split shape) {
        String repository = value(shape.repository());
        if (repository.isEmpty()) {
            return Optional.empty();
        }
        String registry = shape.registry() == null ? "" : value(shape.registry());
        return parse(registry.isEmpty() ? repository : registry + "/" + repository);
    }

    private String value(ValuesPath path) {
        Leaf l = leaves.get(path);
        return l == null ? "" : l.value();
    }

    private Map<String, Leaf> children(ValuesPath block) {
        Map<String, Leaf> out = new LinkedHashMap<>();
        int depth = block.segments().size();
        for (Leaf l : leaves.values()) {
            List<ValuesPath.Segment> s = l.path().segments();
            if (s.size() == depth + 1 && l.path().prefix(depth).equals(block) && s.get(depth) instanceof ValuesPath.Key k) {
                out.put(k.name(), l);
            }
        }
        return out;
    }

    private static Optional<Reference> parse(String text) {
        try {
            return Optional.of(Reference.parse(text));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static String describe(List<Candidate> candidates) {
        return String.join(", ", candidates.stream().map(Candidate::toString).toList());
    }

    private static ValuesPath sibling(ValuesPath path, String key) {
        List<ValuesPath.Segment> s = path.segments();
        return s.size() == 1 ? ValuesPath.parse(key) : path.prefix(s.size() - 1).child(key);
    }
}
