package io.slipway.helm.values;

import io.slipway.oci.Reference;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.eclipse.jgit.diff.DiffAlgorithm;
import org.eclipse.jgit.diff.DiffFormatter;
import org.eclipse.jgit.diff.EditList;
import org.eclipse.jgit.diff.RawText;
import org.eclipse.jgit.diff.RawTextComparator;

/**
 * One case of the values corpus: {@code NAME.yaml} (input), {@code NAME.edit} (what to write) and
 * {@code NAME.diff} (the golden unified diff). An edit file has one line per image,
 * {@code ALIAS SHAPE = REFERENCE}, where SHAPE is {@code single:PATH} or
 * {@code split:BASE[+registry][+digest][+nodigest]}, and optionally {@code expect-error REASON}.
 */
record CorpusCase(String name, Path yaml, List<String> imageLines, String expectedError) {

    static final Path DIR = Paths.get("src/test/resources/corpus");

    static List<CorpusCase> all() throws IOException {
        List<CorpusCase> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(DIR)) {
            for (Path edit : files.filter(p -> p.toString().endsWith(".edit")).sorted().toList()) {
                String name = edit.getFileName().toString().replace(".edit", "");
                List<String> images = new ArrayList<>();
                String error = null;
                for (String line : Files.readAllLines(edit)) {
                    if (line.startsWith("expect-error ")) {
                        error = line.substring("expect-error ".length()).trim();
                    } else if (!line.isBlank()) {
                        images.add(line);
                    }
                }
                cases.add(new CorpusCase(name, DIR.resolve(name + ".yaml"), images, error));
            }
        }
        return cases;
    }

    Path goldenDiff() {
        return DIR.resolve(name + ".diff");
    }

    /** The updates, parsed here so a bad reference surfaces as the same error the product gives. */
    List<ImageUpdate> updates() {
        List<ImageUpdate> updates = new ArrayList<>();
        for (String line : imageLines) {
            String[] sides = line.split(" = ", 2);
            String[] head = sides[0].trim().split(" ");
            Reference ref = ImageValues.parse(sides[1].trim(), head[0]);
            updates.add(new ImageUpdate(head[0], ref, shape(head[1])));
        }
        return updates;
    }

    private static ImageShape shape(String spec) {
        String[] parts = spec.split(":", 2);
        if (parts[0].equals("single")) {
            return ImageShape.single(parts[1]);
        }
        String[] options = parts[1].split("\\+");
        ImageShape.Split split = ImageShape.split(options[0]);
        for (int i = 1; i < options.length; i++) {
            split = switch (options[i]) {
                case "registry" -> split.withRegistry();
                case "digest" -> split.withDigestField(ImageShape.DigestField.ALWAYS);
                case "nodigest" -> split.withDigestField(ImageShape.DigestField.NEVER);
                default -> throw new IllegalArgumentException("unknown shape option " + options[i]);
            };
        }
        return split;
    }

    @Override
    public String toString() {
        return name;
    }

    static String unifiedDiff(byte[] before, byte[] after) {
        RawText a = new RawText(before);
        RawText b = new RawText(after);
        EditList edits = DiffAlgorithm.getAlgorithm(DiffAlgorithm.SupportedAlgorithm.HISTOGRAM)
                .diff(RawTextComparator.DEFAULT, a, b);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DiffFormatter formatter = new DiffFormatter(out)) {
            formatter.setContext(1);
            formatter.format(edits, a, b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
