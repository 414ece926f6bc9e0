package io.slipway.helm.values;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.slipway.helm.values.ValuesException.Reason;
import java.util.List;
import org.junit.jupiter.api.Test;

class ValuesFileTest {

    private static String set(String text, String path, String value) {
        return ValuesFile.parse(text).set(path, value).text();
    }

    @Test
    void replacesOnlyThePlainScalar() {
        String before = "# app\nimage:\n  repository: reg/app   # where\n  tag: v1 # old\nreplicas: 2\n";
        assertThat(set(before, "image.tag", "v2"))
                .isEqualTo("# app\nimage:\n  repository: reg/app   # where\n  tag: v2 # old\nreplicas: 2\n");
    }

    @Test
    void keepsEachQuotingStyle() {
        String before = "a: 'v1'\nb: \"v1\"\nc: v1\n";
        String after = ValuesFile.parse(before).set("a", "it's").set("b", "say \"hi\"\\").set("c", "v2").text();
        assertThat(after).isEqualTo("a: 'it''s'\nb: \"say \\\"hi\\\"\\\\\"\nc: v2\n");
        assertThat(ValuesFile.parse(after).get("a")).contains("it's");
        assertThat(ValuesFile.parse(after).get("b")).contains("say \"hi\"\\");
    }

    @Test
    void quotesAPlainValueThatWouldReadAsANumberOrBoolean() {
        assertThat(set("tag: v1\n", "tag", "1.10")).isEqualTo("tag: \"1.10\"\n");
        assertThat(set("tag: v1\n", "tag", "on")).isEqualTo("tag: \"on\"\n");
        assertThat(set("tag: v1\n", "tag", "2024-01-02")).isEqualTo("tag: \"2024-01-02\"\n");
        assertThat(set("tag: v1\n", "tag", "1.2.3")).isEqualTo("tag: 1.2.3\n");
        // a float already there becomes the string Helm should have seen
        assertThat(set("tag: 1.0\n", "tag", "1.0")).isEqualTo("tag: \"1.0\"\n");
    }

    @Test
    void unchangedValueReturnsTheSameFile() {
        ValuesFile file = ValuesFile.parse("image:\n  tag: 'v1'\n");
        assertThat(file.set("image.tag", "v1")).isSameAs(file);
    }

    @Test
    void countsCodePointsNotChars() {
        String before = "note: \"🚀 déploiement 🚀\"\nimage: {tag: v1} # 🐳\nname: 名前\n";
        String after = set(before, "image.tag", "v2");
        assertThat(after).isEqualTo("note: \"🚀 déploiement 🚀\"\nimage: {tag: v2} # 🐳\nname: 名前\n");
        assertThat(set(after, "name", "新しい")).endsWith("name: 新しい\n");
    }

    @Test
    void keepsCrlfAndByteOrderMark() {
        String before = "\uFEFFimage:\r\n  repository: reg/app\r\n  tag: v1\r\n";
        String after = ValuesFile.parse(before).set("image.tag", "v2").set("image.digest", "sha256:ab").text();
        assertThat(after).isEqualTo("\uFEFFimage:\r\n  repository: reg/app\r\n  tag: v2\r\n  digest: sha256:ab\r\n");
    }

    @Test
    void addsMissingKeysWithTheFilesIndentation() {
        String before = "image:\n    repository: reg/app\n    tag: v1\nservice:\n    port: 80\n";
        assertThat(set(before, "image.digest", "sha256:ab"))
                .isEqualTo("image:\n    repository: reg/app\n    tag: v1\n    digest: sha256:ab\nservice:\n    port: 80\n");
        assertThat(set(before, "sidecar.image.tag", "v3"))
                .isEqualTo(before + "sidecar:\n    image:\n        tag: v3\n");
        assertThat(set("a: 1", "b", "x")).isEqualTo("a: 1\nb: x\n");
    }

    @Test
    void addsAfterNestedBlocksAndComments() {
        String before = "image:\n  repository: reg/app\n  extra:\n    - a\n    - b # last\n\n# next\nother: 1\n";
        assertThat(set(before, "image.tag", "v1"))
                .isEqualTo("image:\n  repository: reg/app\n  extra:\n    - a\n    - b # last\n  tag: v1\n\n# next\nother: 1\n");
    }

    @Test
    void addsIntoFlowMappings() {
        assertThat(set("image: { repository: reg/app }\n", "image.tag", "v1"))
                .isEqualTo("image: { repository: reg/app, tag: v1 }\n");
        assertThat(set("image: {}\n", "image.tag", "1.0")).isEqualTo("image: {tag: \"1.0\"}\n");
        assertThat(set("image: {repository: reg/app}\n", "image.digest", "sha256:ab"))
                .isEqualTo("image: {repository: reg/app, digest: \"sha256:ab\"}\n");
    }

    @Test
    void editsListItems() {
        String before = "containers:\n  - name: app\n    image: reg/app:v1\n  - name: side\n    image: reg/side:v1\n";
        assertThat(set(before, "containers[1].image", "reg/side:v2"))
                .isEqualTo("containers:\n  - name: app\n    image: reg/app:v1\n  - name: side\n    image: reg/side:v2\n");
        assertThat(set(before, "containers[0].pullPolicy", "Always"))
                .isEqualTo("containers:\n  - name: app\n    image: reg/app:v1\n    pullPolicy: Always\n  - name: side\n    image: reg/side:v1\n");
        assertThatThrownBy(() -> set(before, "containers[2].image", "x")).hasMessageContaining("has 2 items")
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.NO_SUCH_ITEM);
    }

    @Test
    void keepsAnchorsAndTagsInFrontOfTheScalar() {
        assertThat(set("tag: &t !!str v1\nother: x\n", "tag", "v2")).isEqualTo("tag: &t !!str v2\nother: x\n");
    }

    @Test
    void fillsAnEmptyValue() {
        assertThat(set("image:\n  tag:\n  repository: x\n", "image.tag", "v2"))
                .isEqualTo("image:\n  tag: v2\n  repository: x\n");
        assertThat(set("image:\n  tag: ~\n", "image.tag", "v2")).isEqualTo("image:\n  tag: v2\n");
    }

    @Test
    void refusesToChangeWhatAnAliasShares() {
        String yaml = "defaults: &d\n  tag: v1\ndev:\n  image: *d\nprod:\n  image:\n    tag: *v\n";
        assertThatThrownBy(() -> set("defaults: &d\n  tag: v1\ndev:\n  image: *d\n", "dev.image.tag", "v2"))
                .isInstanceOf(ValuesException.class).hasMessageContaining("*d")
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.SHARED_BY_ALIAS);
        assertThatThrownBy(() -> set("defaults: &d\n  tag: v1\ndev:\n  image: *d\n", "defaults.tag", "v2"))
                .hasMessageContaining("&d").extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.SHARED_BY_ALIAS);
        assertThatThrownBy(() -> set("v: &v 1.0\ntag: *v\n", "tag", "2"))
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.SHARED_BY_ALIAS);
        assertThatThrownBy(() -> ValuesFile.parse(yaml)).hasMessageContaining("*v")
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.INVALID_YAML);
        // an anchor nobody uses is not shared
        assertThat(set("image: &i\n  tag: v1\n", "image.tag", "v2")).isEqualTo("image: &i\n  tag: v2\n");
    }

    @Test
    void overridesAMergedKeyLocally() {
        String before = "base: &base\n  repository: reg/app\n  tag: v1\ndev:\n  image:\n    <<: *base\n    pullPolicy: Always\n";
        ValuesFile file = ValuesFile.parse(before);
        assertThat(file.get("dev.image.tag")).contains("v1");
        ValuesFile after = file.set("dev.image.tag", "v2");
        assertThat(after.text()).isEqualTo(before + "    tag: v2\n");
        assertThat(after.get("dev.image.tag")).contains("v2");
        assertThat(after.get("base.tag")).contains("v1");
        assertThatThrownBy(() -> set("base: &b\n  image:\n    tag: v1\ndev:\n  <<: *b\n", "dev.image.tag", "v2"))
                .hasMessageContaining("<<: *b").extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.SHARED_BY_ALIAS);
    }

    @Test
    void addsAfterAnAliasOrAMultiLineFlowValue() {
        String merge = "base: &b\n  repository: r/a\ndev:\n  image:\n    <<: *b\n# end\n";
        assertThat(set(merge, "dev.image.tag", "v2")).isEqualTo("base: &b\n  repository: r/a\ndev:\n  image:\n    <<: *b\n    tag: v2\n# end\n");
        String flow = "image:\n  args: [\n    a,\n    b ]  # args\nnext: 1\n";
        assertThat(set(flow, "image.tag", "v2")).isEqualTo("image:\n  args: [\n    a,\n    b ]  # args\n  tag: v2\nnext: 1\n");
    }

    @Test
    void refusesPathsThroughScalars() {
        assertThatThrownBy(() -> set("image: reg/app:v1\n", "image.tag", "v2"))
                .hasMessageContaining("image is the value \"reg/app:v1\" at line 1")
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.PATH_THROUGH_SCALAR);
        assertThatThrownBy(() -> set("image:\n  tag: {a: 1}\n", "image.tag", "v2"))
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.NOT_A_SCALAR);
    }

    @Test
    void refusesFilesThatAreNotAMapping() {
        for (String text : new String[] {"", "# only a comment\n", "- a\n- b\n", "just text\n", "---\n"}) {
            assertThatThrownBy(() -> set(text, "image.tag", "v2")).as(text)
                    .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.NOT_A_MAPPING);
        }
    }

    @Test
    void refusesInvalidYaml() {
        for (String text : new String[] {"a: [1, 2\n", "a: b: c\n", "a:\n  - x\n  y: z\n", "a: 'open\n", "\tkey: x\n"}) {
            assertThatThrownBy(() -> ValuesFile.parse(text)).as(text)
                    .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.INVALID_YAML);
        }
    }

    @Test
    void refusesDuplicateKeysOnThePath() {
        assertThatThrownBy(() -> set("image:\n  tag: a\n  tag: b\n", "image.tag", "v2"))
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.DUPLICATE_KEY);
    }

    @Test
    void refusesBlockScalars() {
        assertThatThrownBy(() -> set("tag: |\n  v1\n", "tag", "v2"))
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.UNSUPPORTED_SCALAR);
    }

    /**
     * A mapping of explicit keys (`? key` then `: value`) is valid YAML, but a key added at its keys'
     * column would land inside the last key (Jazzer found `?` alone: the edit wrote a key no reader
     * saw). It is refused; its existing values can still be replaced.
     */
    @Test
    void refusesToAddKeysToAMappingOfExplicitKeys() {
        for (String yaml : List.of("?", "?\n", "? a\n: b\n", "image:\n  ? repository\n  : web\n")) {
            assertThatThrownBy(() -> set(yaml, "image.tag", "v2")).as(yaml)
                    .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.UNSUPPORTED_LAYOUT);
        }
        assertThat(set("? tag\n: v1\n", "tag", "v2")).isEqualTo("? tag\n: v2\n");
    }

    /**
     * A block scalar that ends the file without a line break reads without one; a key added after it
     * would give it one (Jazzer found it). Such an edit is refused, naming the value it would change.
     */
    @Test
    void refusesAnEditThatWouldChangeAnotherValue() {
        assertThatThrownBy(() -> set("folded: >\n  a folded\n  para", "tag", "v2"))
                .hasMessageContaining("would also change folded (line 1)")
                .extracting(e -> ((ValuesException) e).reason()).isEqualTo(Reason.UNSUPPORTED_LAYOUT);
        assertThat(set("folded: >\n  a folded\n  para\n", "tag", "v2")).isEqualTo("folded: >\n  a folded\n  para\ntag: v2\n");
    }

    @Test
    void editsTheChosenDocumentOnly() {
        String before = "---\na: 1\n...\n---\nimage:\n  tag: v1\n...\n";
        assertThat(ValuesFile.parse(before).inDocument(1).set("image.tag", "v2").text())
                .isEqualTo("---\na: 1\n...\n---\nimage:\n  tag: v2\n...\n");
        assertThat(ValuesFile.parse(before).set("b", "x").text()).isEqualTo("---\na: 1\nb: x\n...\n---\nimage:\n  tag: v1\n...\n");
    }

    @Test
    void quotedKeysWithDotsAreReachable() {
        String before = "podAnnotations:\n  \"app.io/image\": old\n";
        assertThat(set(before, "podAnnotations[\"app.io/image\"]", "new")).isEqualTo("podAnnotations:\n  \"app.io/image\": new\n");
    }
}
