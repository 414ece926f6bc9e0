package io.slipway.jenkins.index;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.RoundEnvironment;
import javax.annotation.processing.SupportedAnnotationTypes;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.AnnotationMirror;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.Diagnostic;
import javax.tools.FileObject;
import javax.tools.StandardLocation;

/**
 * Writes {@code META-INF/services/annotations/<annotation>} for every annotation that is itself
 * annotated {@code @org.jvnet.hudson.annotation_indexer.Indexed} (Jenkins' {@code @Symbol} is one):
 * the binary names of the classes carrying it (for a method or field, its class), sorted, one per
 * line. Entries already in the file from an earlier, incremental compilation are kept. It claims
 * no annotation, so SezPoz's processor still sees {@code @Extension}.
 */
@SupportedAnnotationTypes("*")
public final class IndexedAnnotationProcessor extends AbstractProcessor {
    static final String INDEXED = "org.jvnet.hudson.annotation_indexer.Indexed";
    static final String FOLDER = "META-INF/services/annotations/";

    private final Map<String, Set<String>> found = new TreeMap<>();

    @Override
    public SourceVersion getSupportedSourceVersion() {
        return SourceVersion.latestSupported();
    }

    @Override
    public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
        if (round.processingOver()) {
            found.forEach(this::write);
            return false;
        }
        for (TypeElement annotation : annotations) {
            if (!isIndexed(annotation)) {
                continue;
            }
            String name = processingEnv.getElementUtils().getBinaryName(annotation).toString();
            for (Element e : round.getElementsAnnotatedWith(annotation)) {
                TypeElement type = enclosingType(e);
                if (type != null) {
                    found.computeIfAbsent(name, k -> new TreeSet<>())
                            .add(processingEnv.getElementUtils().getBinaryName(type).toString());
                }
            }
        }
        return false;
    }

    private static boolean isIndexed(TypeElement annotation) {
        for (AnnotationMirror meta : annotation.getAnnotationMirrors()) {
            if (((TypeElement) meta.getAnnotationType().asElement()).getQualifiedName().contentEquals(INDEXED)) {
                return true;
            }
        }
        return false;
    }

    private static TypeElement enclosingType(Element e) {
        Element at = e;
        while (at != null && !(at instanceof TypeElement)) {
            at = at.getEnclosingElement();
        }
        return (TypeElement) at;
    }

    private void write(String annotation, Set<String> classes) {
        String path = FOLDER + annotation;
        Set<String> all = new TreeSet<>(classes);
        try {
            FileObject earlier = processingEnv.getFiler().getResource(StandardLocation.CLASS_OUTPUT, "", path);
            try (BufferedReader in = new BufferedReader(new InputStreamReader(earlier.openInputStream(), StandardCharsets.UTF_8))) {
                in.lines().map(String::trim).filter(l -> !l.isEmpty()).forEach(all::add);
            }
        } catch (IOException | IllegalArgumentException absent) {
            // first compilation: nothing to keep
        }
        try {
            FileObject out = processingEnv.getFiler().createResource(StandardLocation.CLASS_OUTPUT, "", path);
            try (Writer w = out.openWriter()) {
                for (String c : all) {
                    w.write(c);
                    w.write('\n');
                }
            }
        } catch (IOException e) {
            processingEnv.getMessager().printMessage(Diagnostic.Kind.ERROR, "cannot write " + path + ": " + e.getMessage());
        }
    }
}
