package io.slipway.helm.values;

import io.slipway.oci.Reference;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One image a deploy writes, as the user gave it: an alias (for markers, messages and keys), the
 * reference, and the keys named for it (null: {@link ImageFinder} finds them).
 */
public record ImageRequest(String alias, Reference reference, ImageKeys keys) {

    /**
     * The images and keys of a deploy as every front end takes them (CLI {@code --image}/{@code --key},
     * the Tekton Task's IMAGES/KEYS, the Jenkins step's {@code images:}/{@code keys:}):
     * images as {@code [ALIAS=]REF}, keys as {@code [ALIAS:]PATH} or {@code [ALIAS:]ROLE=PATH}. With one
     * image, keys need no alias; with several, each key names its image's alias (given, or the
     * repository's last name: {@code api} for {@code …/team/api}).
     */
    public static List<ImageRequest> parse(List<String> images, List<String> keys) {
        if (images.isEmpty()) {
            throw new ValuesException(ValuesException.Reason.INVALID_REFERENCE, "no image to deploy");
        }
        Map<String, Reference> byAlias = new LinkedHashMap<>();
        for (String image : images) {
            String text = image.strip();
            int eq = text.indexOf('=');
            String alias = eq < 0 ? null : text.substring(0, eq).strip();
            Reference ref = ImageValues.parse(eq < 0 ? text : text.substring(eq + 1).strip(), "image " + text);
            String name = alias == null || alias.isEmpty() ? ImageFinder.defaultAlias(ref) : alias;
            if (byAlias.put(name, ref) != null) {
                throw new ValuesException(ValuesException.Reason.INVALID_PATH, "two images are named " + name
                        + "; give each an alias: --image ALIAS=REF");
            }
        }
        Map<String, List<String>> keysByAlias = new LinkedHashMap<>();
        for (String key : keys) {
            String[] split = ImageKeys.splitAlias(key.strip());
            String alias = split[0];
            if (alias.isEmpty()) {
                if (byAlias.size() > 1) {
                    throw new ValuesException(ValuesException.Reason.INVALID_PATH, "\"" + key + "\": with several images, write each key as ALIAS:PATH; aliases: "
                            + String.join(", ", byAlias.keySet()));
                }
                alias = byAlias.keySet().iterator().next();
                split = new String[] {alias, key.strip()};
            }
            if (!byAlias.containsKey(alias)) {
                throw new ValuesException(ValuesException.Reason.INVALID_PATH, "\"" + key + "\" names the image " + alias
                        + ", which is not deployed; aliases: " + String.join(", ", byAlias.keySet()));
            }
            keysByAlias.computeIfAbsent(alias, a -> new ArrayList<>()).add(split[1]);
        }
        List<ImageRequest> out = new ArrayList<>();
        byAlias.forEach((alias, ref) -> {
            List<String> specs = keysByAlias.get(alias);
            out.add(new ImageRequest(alias, ref, specs == null ? null : ImageKeys.parse(specs)));
        });
        return out;
    }
}
