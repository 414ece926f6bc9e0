package io.slipway.gitops;

import io.slipway.helm.values.ImageUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A commit message from a template and git trailers. Placeholders: {@code {env}}, {@code {values}},
 * {@code {images}} (every reference), {@code {image}}, {@code {alias}}, {@code {repository}},
 * {@code {tag}}, {@code {digest}}, {@code {shortDigest}} (of the first image). Trailers
 * {@code Image:} and {@code Image-Digest:} for each image and {@code Build-Url:} let tools read
 * back what a commit deployed with {@code git interpret-trailers}.
 */
record CommitMessage(String template, String buildUrl) {
    static final String DEFAULT_TEMPLATE = "Deploy {images} to {env}";

    String render(String environment, String valuesPath, List<ImageUpdate> images) {
        ImageUpdate first = images.get(0);
        Map<String, String> vars = new LinkedHashMap<>();
        vars.put("env", environment);
        vars.put("values", valuesPath);
        vars.put("images", images.stream().map(i -> i.reference().toString()).collect(Collectors.joining(", ")));
        vars.put("image", first.reference().toString());
        vars.put("alias", first.alias());
        vars.put("repository", first.reference().name());
        vars.put("tag", first.reference().tag() == null ? "" : first.reference().tag());
        vars.put("digest", first.reference().digest() == null ? "" : first.reference().digest().toString());
        vars.put("shortDigest", shortDigest(first.reference()));
        String subject = template;
        for (Map.Entry<String, String> v : vars.entrySet()) {
            subject = subject.replace("{" + v.getKey() + "}", v.getValue());
        }
        StringBuilder out = new StringBuilder(subject.strip()).append("\n\n");
        for (ImageUpdate image : images) {
            out.append("Image: ").append(image.reference()).append('\n');
            if (image.reference().digest() != null) {
                out.append("Image-Digest: ").append(image.reference().digest()).append('\n');
            }
        }
        if (buildUrl != null && !buildUrl.isBlank()) {
            out.append("Build-Url: ").append(buildUrl.strip()).append('\n');
        }
        return out.toString();
    }

    /** First 12 hex digits of the digest (the length registries and Docker show), else the tag. */
    static String shortDigest(io.slipway.oci.Reference image) {
        if (image.digest() != null) {
            return image.digest().hex().substring(0, 12);
        }
        return image.tag() == null ? "latest" : image.tag();
    }
}
