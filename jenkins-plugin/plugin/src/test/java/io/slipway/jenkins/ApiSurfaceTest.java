package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * The plugin links to Jenkins only where a person looked: every Jenkins type and member its
 * bytecode uses is listed in {@code src/test/resources/jenkins-api-surface.txt}, checked against the
 * declarations, and each of those was compared with the real sources at the baseline. A new use
 * fails here until it is reviewed: check the member against the real source, then regenerate the
 * list with {@code mvn test -Dtest=ApiSurfaceTest -Dslipway.surface.update=true} and commit it.
 */
class ApiSurfaceTest {
    private static final Path CLASSES = Path.of(System.getProperty("slipway.classes", "target/classes"));
    private static final Path REVIEWED = Path.of(System.getProperty("slipway.surface", "src/test/resources/jenkins-api-surface.txt"));

    @Test
    void theBytecodeLinksOnlyToReviewedJenkinsMembers() throws Exception {
        ApiSurface surface = new ApiSurface(getClass().getClassLoader()).scan(CLASSES);
        assertThat(surface.problems).as("links the declarations cannot satisfy").isEmpty();
        if (Boolean.getBoolean("slipway.surface.update")) {
            List<String> lines = new ArrayList<>(List.of(
                    "# Every Jenkins type and member the plugin's bytecode links to, reviewed against the real sources at",
                    "# the baseline (core 2.479.3, workflow-step-api 710.x, credentials 1453.x, plain-credentials 199.x).",
                    "# Written by ApiSurfaceTest with -Dslipway.surface.update=true; review every change before committing."));
            lines.addAll(surface.entries);
            Files.write(REVIEWED, lines, StandardCharsets.UTF_8);
        }
        Set<String> reviewed = new TreeSet<>();
        for (String line : Files.readAllLines(REVIEWED, StandardCharsets.UTF_8)) {
            if (!line.isBlank() && !line.startsWith("#")) {
                reviewed.add(line.trim());
            }
        }
        Set<String> added = new TreeSet<>(surface.entries);
        added.removeAll(reviewed);
        Set<String> gone = new TreeSet<>(reviewed);
        gone.removeAll(surface.entries);
        assertThat(added).as("Jenkins API used but not reviewed (see this test's comment)").isEmpty();
        assertThat(gone).as("reviewed API no longer used: regenerate the list").isEmpty();
    }

    @Test
    void theScanFindsCallsOverridesAndAnnotationsOfThePlugin() throws Exception {
        Set<String> entries = new ApiSurface(getClass().getClassLoader()).scan(CLASSES).entries;
        assertThat(entries).contains(
                "annotation hudson/Extension",
                "annotation org/kohsuke/stapler/DataBoundConstructor",
                "extends jenkins/MasterToSlaveFileCallable",
                "override org/jenkinsci/plugins/workflow/steps/StepDescriptor#getFunctionName()Ljava/lang/String;",
                "call hudson/FilePath#act(Lhudson/FilePath$FileCallable;)Ljava/lang/Object;",
                "call com/cloudbees/plugins/credentials/CredentialsProvider#findCredentialById(Ljava/lang/String;"
                        + "Ljava/lang/Class;Lhudson/model/Run;)Lcom/cloudbees/plugins/credentials/common/IdCredentials;",
                // an inherited member resolves to the class that declares it
                "call com/cloudbees/plugins/credentials/common/UsernameCredentials#getUsername()Ljava/lang/String;");
    }

    /** The negative control: the typical mistakes are caught, not waved through. */
    @Test
    void aMissingMemberAFinalClassAndAFinalMethodAreReported() {
        ClassWriter w = new ClassWriter(0);
        w.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "bad/Subclass",
                null, "org/jenkinsci/plugins/workflow/steps/SynchronousNonBlockingStepExecution", null);
        MethodVisitor start = w.visitMethod(Opcodes.ACC_PUBLIC, "start", "()Z", null, null);
        start.visitCode();
        start.visitInsn(Opcodes.ICONST_0);
        start.visitInsn(Opcodes.IRETURN);
        start.visitMaxs(1, 1);
        start.visitEnd();
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC, "use", "(Lhudson/FilePath;)V", null, null);
        m.visitCode();
        m.visitVarInsn(Opcodes.ALOAD, 1);
        m.visitMethodInsn(Opcodes.INVOKEVIRTUAL, "hudson/FilePath", "readToString", "()Ljava/lang/String;", false);
        m.visitInsn(Opcodes.POP);
        m.visitInsn(Opcodes.RETURN);
        m.visitMaxs(1, 2);
        m.visitEnd();
        w.visitEnd();
        ClassWriter f = new ClassWriter(0);
        f.visit(Opcodes.V17, Opcodes.ACC_PUBLIC, "bad/MySecret", null, "hudson/util/Secret", null);
        f.visitEnd();

        ApiSurface surface = new ApiSurface(getClass().getClassLoader()).scan(w.toByteArray()).scan(f.toByteArray());
        assertThat(surface.problems).containsExactlyInAnyOrder(
                "bad/Subclass overrides final org/jenkinsci/plugins/workflow/steps/SynchronousNonBlockingStepExecution#start()Z",
                "unresolved call hudson/FilePath#readToString()Ljava/lang/String;",
                "bad/MySecret extends final hudson/util/Secret");
    }
}
