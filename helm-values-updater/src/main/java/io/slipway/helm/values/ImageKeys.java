package io.slipway.helm.values;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The keys a user names for one image, as argocd-image-updater's {@code helm.image-name} /
 * {@code helm.image-tag} / {@code helm.image-spec} do: either one path to the image's block
 * ({@code server.image}: its {@code registry}, {@code repository} (or {@code image}), {@code tag}
 * and {@code digest} (or {@code sha}) keys are the ones the file has), or each key by its role
 * ({@code repository=server.image.repository}, {@code tag=…}, {@code digest=…}, {@code registry=…}),
 * or a whole-string key ({@code image=worker.image}). Written on the command line as
 * {@code --key [ALIAS:]PATH} or {@code --key [ALIAS:]ROLE=PATH}, one option per key.
 *
 * @param block the image block (or whole-string key) to inspect, or null when roles are named
 * @param roles the keys named by role
 */
public record ImageKeys(ValuesPath block, Map<Role, ValuesPath> roles) {
    private static final Pattern ROLE = Pattern.compile("(image|registry|repository|tag|digest)=(.+)");
    private static final Pattern ALIAS = Pattern.compile("([A-Za-z0-9_-]+):(.+)");

    /** What a named key holds. */
    public enum Role {
        /** the whole reference, {@code host/ns/repo:tag@sha256:…} */
        IMAGE,
        REGISTRY,
        /** the repository, with the registry host unless a registry key is named too */
        REPOSITORY,
        TAG,
        /** the digest, {@code sha256:…} or hex as the key's current value or its name ({@code sha}) says */
        DIGEST;

        static Role parse(String text) {
            return valueOf(text.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public ImageKeys {
        roles = Map.copyOf(roles);
        if (block == null && roles.isEmpty()) {
            throw new ValuesException(ValuesException.Reason.INVALID_PATH, "no image key named");
        }
        if (block != null && !roles.isEmpty()) {
            throw new ValuesException(ValuesException.Reason.INVALID_PATH,
                    "name either the image's block (" + block + ") or its keys by role, not both");
        }
        if (roles.containsKey(Role.IMAGE) && roles.size() > 1) {
            throw new ValuesException(ValuesException.Reason.INVALID_PATH,
                    "image=PATH names a whole-string key; it takes no other key");
        }
        if (!roles.isEmpty() && !roles.containsKey(Role.IMAGE) && !roles.containsKey(Role.REPOSITORY)) {
            throw new ValuesException(ValuesException.Reason.INVALID_PATH,
                    "naming keys by role needs repository=PATH (or image=PATH for a whole-string key)");
        }
    }

    /** The block at {@code path} (or the whole-string key at it). */
    public static ImageKeys block(String path) {
        return new ImageKeys(ValuesPath.parse(path), Map.of());
    }

    /** Keys by role, from {@code ROLE=PATH} or a single {@code PATH} (the block). */
    public static ImageKeys parse(List<String> specs) {
        if (specs.size() == 1 && !ROLE.matcher(specs.get(0)).matches()) {
            return block(specs.get(0));
        }
        Map<Role, ValuesPath> roles = new EnumMap<>(Role.class);
        for (String spec : specs) {
            Matcher m = ROLE.matcher(spec);
            if (!m.matches()) {
                throw new ValuesException(ValuesException.Reason.INVALID_PATH, "\"" + spec
                        + "\": with several keys for one image each is ROLE=PATH (image, registry, repository, tag, digest)");
            }
            if (roles.put(Role.parse(m.group(1)), ValuesPath.parse(m.group(2))) != null) {
                throw new ValuesException(ValuesException.Reason.INVALID_PATH, m.group(1) + " is named twice");
            }
        }
        return new ImageKeys(null, roles);
    }

    /**
     * Splits {@code [ALIAS:]SPEC} into the alias ("" when absent) and the spec. An alias is a plain
     * name before the first colon; a path whose first key holds a colon is written {@code ["a:b"]}.
     */
    public static String[] splitAlias(String text) {
        Matcher m = ALIAS.matcher(text);
        if (m.matches() && !ROLE.matcher(text).matches()) {
            return new String[] {m.group(1), m.group(2)};
        }
        return new String[] {"", text};
    }
}
