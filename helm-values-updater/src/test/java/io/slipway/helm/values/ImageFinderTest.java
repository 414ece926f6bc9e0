package io.slipway.helm.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.oci.Reference;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where images go on shapes of our own; each expected file is written by hand from the shape's intent. */
class ImageFinderTest {
    static final String D = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";
    static final String D2 = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";

    private static String deploy(String values, List<String> images, List<String> keys) {
        ValuesFile file = ValuesFile.parse(values);
        ImageFinder finder = new ImageFinder(file, null);
        List<ImageUpdate> updates = ImageRequest.parse(images, keys).stream()
                .map(r -> finder.locate(r.alias(), r.reference(), r.keys())).toList();
        return ImageValues.write(file, updates).file().text();
    }

    @Test
    void aWholeStringKeyGetsTheWholeReference() {
        assertThat(deploy("web:\n  image: nginx:1.25 # pinned by the pipeline\n  replicas: 2\n",
                List.of("127.0.0.1:5000/team/nginx:1.26@" + D), List.of()))
                .isEqualTo("web:\n  image: 127.0.0.1:5000/team/nginx:1.26@" + D + " # pinned by the pipeline\n  replicas: 2\n");
    }

    @Test
    void markersNameKeysOfAnyLayout() {
        String values = """
                app:
                  spec:
                    img: registry.example.com/team/api # {"$slipway": "api:repository"}
                    version: "1.0" # {"$slipway": "api:tag"}
                  sidecar: registry.example.com/team/api:0.1
                """;
        // The sidecar also holds team/api; the markers decide.
        assertThat(deploy(values, List.of("127.0.0.1:5000/team/api:1.1@" + D), List.of())).isEqualTo("""
                app:
                  spec:
                    img: 127.0.0.1:5000/team/api # {"$slipway": "api:repository"}
                    version: "1.1@%s" # {"$slipway": "api:tag"}
                  sidecar: registry.example.com/team/api:0.1
                """.formatted(D));
    }

    @Test
    void keysByRoleAndSeveralImagesByAlias() {
        String values = """
                grafana:
                  image:
                    registry: docker.io
                    repository: grafana/grafana
                    tag: ""
                    sha: ""
                jobs:
                  cleanup:
                    repo: acme/cleanup
                    ver: "1"
                """;
        String out = deploy(values, List.of("ui=127.0.0.1:5000/team/grafana:12.0@" + D, "job=127.0.0.1:5000/team/cleanup:2"),
                List.of("ui:grafana.image", "job:repository=jobs.cleanup.repo", "job:tag=jobs.cleanup.ver"));
        assertThat(out).isEqualTo("""
                grafana:
                  image:
                    registry: 127.0.0.1:5000
                    repository: team/grafana
                    tag: "12.0"
                    sha: "%s"
                jobs:
                  cleanup:
                    repo: 127.0.0.1:5000/team/cleanup
                    ver: "2"
                """.formatted(D.substring("sha256:".length())));
    }

    @Test
    void withoutADigestKeyTheDigestIsPinnedInTheTagAndNoKeyIsAdded() {
        assertThat(deploy("image:\n  repository: acme/api\n  tag: v1\n", List.of("127.0.0.1:5000/team/api:v2@" + D), List.of()))
                .isEqualTo("image:\n  repository: 127.0.0.1:5000/team/api\n  tag: v2@" + D + "\n");
    }

    @Test
    void refusalsListTheCandidatesAndTheOptionThatPicksOne() {
        String values = "api:\n  image:\n    repository: acme/api\n    tag: v1\nworker:\n  image:\n    repository: other/api\n    tag: v1\n";
        assertThatThrownBy(() -> deploy(values, List.of("127.0.0.1:5000/team/api:v2"), List.of()))
                .isInstanceOf(ValuesException.class)
                .satisfies(e -> assertThat(((ValuesException) e).reason()).isEqualTo(ValuesException.Reason.AMBIGUOUS_IMAGE_KEY))
                .hasMessageContaining("2 images in the values match team/api: api.image (acme/api), worker.image (other/api)")
                .hasMessageContaining("--key api.image");
        assertThatThrownBy(() -> deploy(values, List.of("127.0.0.1:5000/team/web:v2"), List.of()))
                .satisfies(e -> assertThat(((ValuesException) e).reason()).isEqualTo(ValuesException.Reason.NO_IMAGE_KEY))
                .hasMessageContaining("no image in the values has the repository team/web or the name web");
        // The same repository path wins over the same last name.
        assertThat(deploy(values, List.of("127.0.0.1:5000/other/api:v2"), List.of()))
                .contains("    repository: 127.0.0.1:5000/other/api\n    tag: v2\n").contains("acme/api\n    tag: v1");
    }

    @Test
    void keysOfSeveralImagesNameTheirAlias() {
        List<String> two = List.of("a=r.io/x/a:1", "b=r.io/x/b:1");
        assertThatThrownBy(() -> ImageRequest.parse(two, List.of("image")))
                .satisfies(e -> assertThat(((ValuesException) e).badInput()).isTrue())
                .hasMessageContaining("ALIAS:PATH; aliases: a, b");
        assertThatThrownBy(() -> ImageRequest.parse(two, List.of("c:image"))).hasMessageContaining("names the image c");
        assertThatThrownBy(() -> ImageRequest.parse(List.of("r.io/x/a:1", "r.io/y/a:1"), List.of())).hasMessageContaining("two images are named a");
        assertThat(ImageRequest.parse(List.of("r.io/x/a:1"), List.of("tag=a.b", "repository=a.c")).get(0).keys().roles())
                .containsEntry(ImageKeys.Role.TAG, ValuesPath.parse("a.b"));
    }

    @Test
    void theDeployedImageOfAFileWithOneImage() {
        ValuesFile file = ValuesFile.parse("image:\n  registry: docker.io\n  repository: acme/api\n  tag: v1\n  sha: " + D2.substring(7) + "\n");
        ImageShape shape = new ImageFinder(file, null).deployed(null, null);
        assertThat(ImageValues.read(file, shape)).isEqualTo(Reference.parse("docker.io/acme/api:v1@" + D2));
    }
}
