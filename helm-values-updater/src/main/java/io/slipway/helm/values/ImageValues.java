package io.slipway.helm.values;

import io.slipway.helm.values.ValuesException.Reason;
import io.slipway.oci.Reference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Writes image references into a values file in each image's shape, and reads them back. */
public final class ImageValues {
    private static final String DOCKER_HUB = "docker.io";

    private ImageValues() {
    }

    /** The result of writing: the edited file and what changed (empty when nothing did). */
    public record Edit(ValuesFile file, List<ValueChange> changes) {
        public boolean changed() {
            return !changes.isEmpty();
        }
    }

    public static Edit write(ValuesFile file, List<ImageUpdate> updates) {
        List<ValueChange> changes = new ArrayList<>();
        ValuesFile current = file;
        for (ImageUpdate update : updates) {
            for (Assignment a : assignments(current, update)) {
                Optional<String> before = current.has(a.path()) ? current.get(a.path()) : Optional.empty();
                ValuesFile next = current.set(a.path(), a.value());
                if (next != current) {
                    changes.add(new ValueChange(a.path(), before.orElse(null), a.value()));
                }
                current = next;
            }
        }
        return new Edit(current, List.copyOf(changes));
    }

    /** The reference a shape currently describes in {@code file}, as Helm would assemble it. */
    public static Reference read(ValuesFile file, ImageShape shape) {
        String text;
        if (shape instanceof ImageShape.Single single) {
            text = required(file, single.path());
        } else {
            ImageShape.Split split = (ImageShape.Split) shape;
            String name = required(file, split.repository());
            if (split.registry() != null) {
                name = required(file, split.registry()) + "/" + name;
            }
            String tag = file.get(split.tag()).filter(t -> !t.isEmpty()).orElse(null);
            String digest = split.digestField() == ImageShape.DigestField.NEVER ? null
                    : file.get(split.digest()).filter(d -> !d.isEmpty()).orElse(null);
            if (digest != null && split.digestFormat() == ImageShape.DigestFormat.HEX && !digest.contains(":")) {
                digest = "sha256:" + digest;
            }
            text = name + (tag == null ? "" : ":" + tag) + (digest == null ? "" : "@" + digest);
        }
        return parse(text, "the values");
    }

    private record Assignment(ValuesPath path, String value) {
    }

    private static List<Assignment> assignments(ValuesFile file, ImageUpdate update) {
        Reference ref = update.reference();
        if (update.shape() instanceof ImageShape.Single single) {
            return List.of(new Assignment(single.path(), ref.toString()));
        }
        ImageShape.Split shape = (ImageShape.Split) update.shape();
        List<Assignment> out = new ArrayList<>();
        if (shape.registry() != null) {
            out.add(new Assignment(shape.registry(), ref.registry() == null ? DOCKER_HUB : ref.registry()));
            out.add(new Assignment(shape.repository(), ref.repository()));
        } else {
            out.add(new Assignment(shape.repository(), ref.name()));
        }
        boolean digestKey = switch (shape.digestField()) {
            case ALWAYS -> true;
            case NEVER -> false;
            case AUTO -> file.has(shape.digest());
        };
        if (ref.digest() != null && digestKey) {
            if (ref.tag() != null) {
                out.add(new Assignment(shape.tag(), ref.tag()));
            }
            out.add(new Assignment(shape.digest(), shape.digestFormat() == ImageShape.DigestFormat.HEX
                    ? hex(ref, update.alias()) : ref.digest().toString()));
        } else if (ref.digest() != null) {
            if (ref.tag() == null) {
                throw new ValuesException(Reason.SHAPE_MISMATCH, update.alias() + ": " + ref
                        + " has only a digest and the values have no digest key (" + shape.digest()
                        + "); give the image a tag (repo:tag@sha256:…) to pin it in " + shape.tag()
                        + ", or configure a digest key");
            }
            // "tag@sha256:…" renders as repo:tag@sha256:…, which pulls by digest.
            out.add(new Assignment(shape.tag(), ref.tag() + "@" + ref.digest()));
        } else {
            if (ref.tag() == null) {
                throw new ValuesException(Reason.SHAPE_MISMATCH, update.alias() + ": " + ref + " has neither tag nor digest");
            }
            out.add(new Assignment(shape.tag(), ref.tag()));
            if (digestKey && file.get(shape.digest()).filter(d -> !d.isEmpty()).isPresent()) {
                out.add(new Assignment(shape.digest(), "")); // a stale digest would win over the new tag
            }
        }
        return out;
    }

    // A chart that writes "@sha256:{{ .sha }}" takes the bare hex, so only a sha256 digest fits it.
    private static String hex(Reference ref, String alias) {
        String text = ref.digest().toString();
        if (!text.startsWith("sha256:")) {
            throw new ValuesException(Reason.SHAPE_MISMATCH, alias + ": the chart's digest key takes a sha256 digest as hex, not " + text);
        }
        return text.substring("sha256:".length());
    }

    private static String required(ValuesFile file, ValuesPath path) {
        return file.get(path).filter(v -> !v.isEmpty()).orElseThrow(() ->
                new ValuesException(Reason.SHAPE_MISMATCH, "the values have no " + path));
    }

    static Reference parse(String text, String where) {
        try {
            return Reference.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ValuesException(Reason.INVALID_REFERENCE, where + ": " + e.getMessage());
        }
    }
}
