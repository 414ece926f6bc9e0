package io.slipway.helm.values;

import java.util.List;

/**
 * Where a chart keeps one image in its values, for the shapes charts actually use:
 * <ul>
 *   <li>{@link #single(String)}: one string, {@code image: reg/app:1.2@sha256:…}</li>
 *   <li>{@link #split(String)}: {@code image.repository} + {@code image.tag}, with
 *       {@code image.digest} when the file has one (or always/never, see {@link DigestField}), and
 *       optionally {@code image.registry} split out of the repository</li>
 * </ul>
 * Any of the paths may be replaced, and may go through list items ({@code containers[0].image}).
 */
public sealed interface ImageShape {

    /** One string holding the whole reference. */
    static Single single(String path) {
        return new Single(ValuesPath.parse(path));
    }

    /** {@code <base>.repository} and {@code <base>.tag}; {@code <base>.digest} if the file has it. */
    static Split split(String base) {
        ValuesPath b = ValuesPath.parse(base);
        return new Split(null, b.child("repository"), b.child("tag"), b.child("digest"), DigestField.AUTO, DigestFormat.PREFIXED);
    }

    /** Every value path this shape may write. */
    List<ValuesPath> paths();

    record Single(ValuesPath path) implements ImageShape {
        @Override
        public List<ValuesPath> paths() {
            return List.of(path);
        }
    }

    /** How a digest is written in a split shape. */
    enum DigestField {
        /** into the digest key when the values file already has it, else pinned into the tag */
        AUTO,
        /** always into the digest key, adding it when missing */
        ALWAYS,
        /** never a digest key: the tag holds {@code tag@sha256:…}, which charts render as a pinned reference */
        NEVER
    }

    /** How a chart's digest key holds the digest: {@code sha256:…} ({@code digest} keys) or bare hex (grafana's {@code sha}). */
    enum DigestFormat {
        PREFIXED,
        HEX
    }

    /**
     * @param registry   path of the registry host, or null when the repository value includes it
     * @param repository path of the repository (with the registry unless {@code registry} is set)
     * @param tag        path of the tag
     * @param digest     path of the digest key
     * @param digestFormat how the digest key's value is written
     */
    record Split(ValuesPath registry, ValuesPath repository, ValuesPath tag, ValuesPath digest, DigestField digestField,
                 DigestFormat digestFormat) implements ImageShape {

        /** Registry host in {@code <base>.registry}, next to the repository. */
        public Split withRegistry() {
            return withRegistry(sibling(repository, "registry").toString());
        }

        public Split withRegistry(String path) {
            return new Split(ValuesPath.parse(path), repository, tag, digest, digestField, digestFormat);
        }

        public Split withRepository(String path) {
            return new Split(registry, ValuesPath.parse(path), tag, digest, digestField, digestFormat);
        }

        public Split withTag(String path) {
            return new Split(registry, repository, ValuesPath.parse(path), digest, digestField, digestFormat);
        }

        /** Always write the digest into {@code path}, adding the key when the file lacks it. */
        public Split withDigest(String path) {
            return new Split(registry, repository, tag, ValuesPath.parse(path), DigestField.ALWAYS, digestFormat);
        }

        public Split withDigestField(DigestField mode) {
            return new Split(registry, repository, tag, digest, mode, digestFormat);
        }

        public Split withDigestFormat(DigestFormat format) {
            return new Split(registry, repository, tag, digest, digestField, format);
        }

        /** The shape with the paths given as {@link ValuesPath}s (registry may be null, digest too when never written). */
        static Split of(ValuesPath registry, ValuesPath repository, ValuesPath tag, ValuesPath digest, DigestFormat format) {
            ValuesPath digestPath = digest != null ? digest : sibling(repository, "digest");
            return new Split(registry, repository, tag, digestPath, digest != null ? DigestField.ALWAYS : DigestField.NEVER, format);
        }

        @Override
        public List<ValuesPath> paths() {
            List<ValuesPath> out = new java.util.ArrayList<>();
            if (registry != null) {
                out.add(registry);
            }
            out.add(repository);
            out.add(tag);
            if (digestField != DigestField.NEVER) {
                out.add(digest);
            }
            return List.copyOf(out);
        }

        private static ValuesPath sibling(ValuesPath path, String key) {
            List<ValuesPath.Segment> segments = path.segments();
            if (segments.size() == 1) {
                return ValuesPath.parse(key);
            }
            return path.prefix(segments.size() - 1).child(key);
        }
    }
}
