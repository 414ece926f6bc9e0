package io.slipway.helm.render;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Finds every container image in rendered Kubernetes manifests. Rather than knowing each workload
 * kind (Deployment, CronJob's job template, Argo Rollout, …) it takes any list under a
 * {@code containers}, {@code initContainers} or {@code ephemeralContainers} key, at any depth.
 */
final class ManifestImages {
    private static final Set<String> CONTAINER_LISTS = Set.of("containers", "initContainers", "ephemeralContainers");
    private static final String SOURCE_PREFIX = "# Source: ";

    private ManifestImages() {
    }

    static List<RenderedImage> find(String manifests) {
        String[] lines = manifests.split("\r?\n", -1);
        List<RenderedImage> found = new ArrayList<>();
        LoadSettings settings = LoadSettings.builder().setUseMarks(true).build();
        for (Node document : new Compose(settings).composeAllFromString(manifests)) {
            walk(document, lines, found);
        }
        return found;
    }

    private static void walk(Node node, String[] lines, List<RenderedImage> found) {
        if (node instanceof MappingNode mapping) {
            for (NodeTuple tuple : mapping.getValue()) {
                if (tuple.getKeyNode() instanceof ScalarNode key && CONTAINER_LISTS.contains(key.getValue())
                        && tuple.getValueNode() instanceof SequenceNode list) {
                    for (Node container : list.getValue()) {
                        image(container, lines, found);
                    }
                } else {
                    walk(tuple.getValueNode(), lines, found);
                }
            }
        } else if (node instanceof SequenceNode sequence) {
            for (Node item : sequence.getValue()) {
                walk(item, lines, found);
            }
        }
    }

    private static void image(Node container, String[] lines, List<RenderedImage> found) {
        if (!(container instanceof MappingNode mapping)) {
            return;
        }
        for (NodeTuple tuple : mapping.getValue()) {
            if (tuple.getKeyNode() instanceof ScalarNode key && key.getValue().equals("image")
                    && tuple.getValueNode() instanceof ScalarNode value) {
                int line = value.getStartMark().map(m -> m.getLine()).orElse(0);
                found.add(new RenderedImage(value.getValue(), sourceAbove(lines, line), line + 1, lines[line]));
            }
        }
    }

    private static String sourceAbove(String[] lines, int line) {
        for (int i = line; i >= 0; i--) {
            if (lines[i].startsWith(SOURCE_PREFIX)) {
                return lines[i].substring(SOURCE_PREFIX.length()).trim();
            }
        }
        return "";
    }
}
