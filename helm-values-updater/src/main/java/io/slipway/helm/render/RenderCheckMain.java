package io.slipway.helm.render;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.slipway.oci.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The render check as a program, the child side of {@link RenderCheckProcess}:
 * {@code --chart DIR [--values FILE]… [--expect IMAGE]… [--release NAME] [--namespace NS] [--no-lint] --result FILE}.
 * It writes its outcome as JSON to the result file, not to standard output, where Helm and
 * logging may write too: {@code {"images": [{image, source, line, lineText}…]}} when the check
 * passes, {@code {"error": "…"}} when it fails. Exit code 0, 1 (check failed) or 2 (bad arguments).
 */
public final class RenderCheckMain {
    static final int FAILED = 1;
    static final int USAGE = 2;

    private RenderCheckMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        Path chart = null;
        Path result = null;
        List<Path> values = new ArrayList<>();
        List<Reference> expected = new ArrayList<>();
        String release = null;
        String namespace = null;
        boolean lint = true;
        try {
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--chart" -> chart = Path.of(args[++i]);
                    case "--values" -> values.add(Path.of(args[++i]));
                    case "--expect" -> expected.add(Reference.parse(args[++i]));
                    case "--release" -> release = args[++i];
                    case "--namespace" -> namespace = args[++i];
                    case "--no-lint" -> lint = false;
                    case "--result" -> result = Path.of(args[++i]);
                    default -> throw new IllegalArgumentException("unknown argument " + args[i]);
                }
            }
            if (chart == null || result == null) {
                throw new IllegalArgumentException("--chart and --result are required");
            }
        } catch (RuntimeException e) { // IllegalArgumentException, ArrayIndexOutOfBoundsException
            System.err.println("render check: " + e.getMessage());
            return USAGE;
        }
        RenderCheck check = RenderCheck.chart(chart).valuesFiles(values).expect(expected);
        if (release != null) {
            check.releaseName(release);
        }
        if (namespace != null) {
            check.namespace(namespace);
        }
        if (!lint) {
            check.skipLint();
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode out = json.createObjectNode();
        int code = 0;
        try {
            ArrayNode images = out.putArray("images");
            for (RenderedImage image : check.run()) {
                images.addObject().put("image", image.image()).put("source", image.source()).put("line", image.line())
                        .put("lineText", image.lineText());
            }
        } catch (RenderCheckException e) {
            out.removeAll();
            out.put("error", e.getMessage());
            code = FAILED;
        }
        try {
            json.writeValue(result.toFile(), out);
        } catch (java.io.IOException e) {
            System.err.println("render check: cannot write " + result + ": " + e);
            return USAGE;
        }
        return code;
    }
}
