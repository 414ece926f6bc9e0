package io.slipway.helm.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.helm.values.ValuesException.Reason;
import io.slipway.oci.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageValuesTest {
    static final String DIGEST = "sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945";

    private static ImageValues.Edit write(String yaml, String ref, ImageShape shape) {
        return ImageValues.write(ValuesFile.parse(yaml), List.of(new ImageUpdate("app", Reference.parse(ref), shape)));
    }

    @Test
    void aDigestOnlyReferenceNeedsADigestKey() {
        assertThatThrownBy(() -> write("image:\n  repository: r.io/a\n  tag: v1\n", "r.io/a@" + DIGEST, ImageShape.split("image")))
                .isInstanceOf(ValuesException.class).hasMessageContaining("no digest key (image.digest)")
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.SHAPE_MISMATCH);
        ImageValues.Edit edit = write("image:\n  repository: r.io/a\n  tag: v1\n", "r.io/a@" + DIGEST,
                ImageShape.split("image").withDigestField(ImageShape.DigestField.ALWAYS));
        assertThat(edit.file().text()).isEqualTo("image:\n  repository: r.io/a\n  tag: v1\n  digest: " + DIGEST + "\n");
    }

    @Test
    void aTagOnlyReferenceClearsAStaleDigest() {
        ImageValues.Edit edit = write("image:\n  repository: r.io/a\n  tag: v1\n  digest: " + DIGEST + "\n", "r.io/a:v2", ImageShape.split("image"));
        assertThat(edit.file().text()).isEqualTo("image:\n  repository: r.io/a\n  tag: v2\n  digest: \"\"\n");
        assertThat(edit.changes()).extracting(ValueChange::toString)
                .containsExactly("image.tag: v1 -> v2", "image.digest: " + DIGEST + " -> ");
    }

    @Test
    void splitsTheRegistryWithDockerHubAsDefault() {
        ImageValues.Edit edit = write("image:\n  registry: quay.io\n  repository: team/a\n  tag: v1\n", "bitnami/nginx:1.25",
                ImageShape.split("image").withRegistry());
        assertThat(edit.file().text()).isEqualTo("image:\n  registry: docker.io\n  repository: bitnami/nginx\n  tag: \"1.25\"\n");
        assertThat(ImageValues.read(edit.file(), ImageShape.split("image").withRegistry()))
                .isEqualTo(Reference.parse("docker.io/bitnami/nginx:1.25"));
    }

    @Test
    void customPathsReachAnywhere() {
        ImageShape shape = ImageShape.split("ignored").withRepository("app.spec.name").withTag("app.spec.version");
        ImageValues.Edit edit = write("app:\n  spec:\n    name: r.io/a\n    version: v1\n", "r.io/b:v2", shape);
        assertThat(edit.file().text()).isEqualTo("app:\n  spec:\n    name: r.io/b\n    version: v2\n");
    }

    @Test
    void readsWhatIsDeployed() {
        ValuesFile file = ValuesFile.parse("image:\n  repository: r.io/a\n  tag: v1@" + DIGEST + "\nsingle: r.io/b:v3\n");
        assertThat(ImageValues.read(file, ImageShape.split("image"))).isEqualTo(Reference.parse("r.io/a:v1@" + DIGEST));
        assertThat(ImageValues.read(file, ImageShape.single("single"))).isEqualTo(Reference.parse("r.io/b:v3"));
        assertThatThrownBy(() -> ImageValues.read(file, ImageShape.single("missing")))
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.SHAPE_MISMATCH);
        assertThatThrownBy(() -> ImageValues.read(ValuesFile.parse("image: 'not a ref'\n"), ImageShape.single("image")))
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.INVALID_REFERENCE);
    }

    @Test
    void refusesFilesThatAreNotUtf8(@TempDir Path tmp) throws Exception {
        Path latin1 = tmp.resolve("values.yaml");
        Files.write(latin1, new byte[] {'a', ':', ' ', (byte) 0xe9, '\n'});
        assertThatThrownBy(() -> ValuesFile.read(latin1))
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.NOT_UTF8);
    }
}
