package io.slipway.jenkins;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.objectweb.asm.AnnotationVisitor;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.FieldVisitor;
import org.objectweb.asm.Handle;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.objectweb.asm.Type;

/**
 * Every Jenkins type and member the plugin's bytecode links to: supertypes, annotations, types
 * named anywhere (instructions, signatures of methods and fields), members called or read (resolved
 * as the JVM resolves them, to the class that declares them), and methods that override a Jenkins
 * method. Resolution runs against the declarations (jenkins-api); what cannot be resolved, a final
 * class extended or a final method overridden, is reported as a problem.
 */
final class ApiSurface {
    /** Where Jenkins core and the plugins we link to keep their types. */
    static boolean isJenkins(String internalName) {
        return internalName.startsWith("hudson/") || internalName.startsWith("jenkins/")
                || internalName.startsWith("org/jenkinsci/") || internalName.startsWith("org/kohsuke/stapler/")
                || internalName.startsWith("com/cloudbees/") || internalName.startsWith("org/jvnet/hudson/");
    }

    final Set<String> entries = new TreeSet<>();
    final Set<String> problems = new TreeSet<>();
    private final ClassLoader declarations;
    private final Map<String, Model> models = new HashMap<>();

    ApiSurface(ClassLoader declarations) {
        this.declarations = declarations;
    }

    /** Scans every class file under a folder (the plugin's target/classes). */
    ApiSurface scan(Path classes) throws IOException {
        try (Stream<Path> files = Files.walk(classes)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".class")).sorted().toList()) {
                scan(Files.readAllBytes(f));
            }
        }
        return this;
    }

    ApiSurface scan(byte[] classFile) {
        new ClassReader(classFile).accept(new Scanner(), 0);
        return this;
    }

    /** A declared class as resolution needs it. */
    private record Model(String name, int access, String superName, List<String> interfaces, Map<String, Integer> methods,
                         Map<String, Integer> fields) {
    }

    private Model model(String internalName) {
        return models.computeIfAbsent(internalName, n -> {
            try (InputStream in = declarations.getResourceAsStream(n + ".class")) {
                if (in == null) {
                    return null;
                }
                Map<String, Integer> methods = new HashMap<>();
                Map<String, Integer> fields = new HashMap<>();
                int[] access = new int[1];
                String[] superName = new String[1];
                List<String> interfaces = new ArrayList<>();
                new ClassReader(in).accept(new ClassVisitor(Opcodes.ASM9) {
                    @Override
                    public void visit(int version, int acc, String name, String signature, String sup, String[] ifaces) {
                        access[0] = acc;
                        superName[0] = sup;
                        interfaces.addAll(List.of(ifaces));
                    }

                    @Override
                    public MethodVisitor visitMethod(int acc, String name, String desc, String signature, String[] exceptions) {
                        methods.put(name + desc, acc);
                        return null;
                    }

                    @Override
                    public FieldVisitor visitField(int acc, String name, String desc, String signature, Object value) {
                        fields.put(name + ":" + desc, acc);
                        return null;
                    }
                }, ClassReader.SKIP_CODE);
                return new Model(n, access[0], superName[0], interfaces, methods, fields);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    /** The class that declares a member, as the JVM looks: the class, its superclasses, then its interfaces. */
    private String declaring(String owner, String member, boolean field) {
        Deque<String> queue = new ArrayDeque<>();
        List<String> interfaces = new ArrayList<>();
        for (String c = owner; c != null; ) {
            Model m = model(c);
            if (m == null) {
                return null;
            }
            if ((field ? m.fields() : m.methods()).containsKey(member)) {
                return c;
            }
            interfaces.addAll(m.interfaces());
            c = m.superName();
        }
        queue.addAll(interfaces);
        while (!queue.isEmpty()) {
            Model m = model(queue.poll());
            if (m == null) {
                continue;
            }
            if ((field ? m.fields() : m.methods()).containsKey(member)) {
                return m.name();
            }
            queue.addAll(m.interfaces());
        }
        return null;
    }

    private void type(String internalName) {
        if (internalName != null && isJenkins(internalName)) {
            if (model(internalName) == null) {
                problems.add("no declaration of type " + internalName);
            }
            entries.add("type " + internalName);
        }
    }

    private void types(String descriptor) {
        for (Type t : Type.getArgumentTypes(descriptor)) {
            typeOf(t);
        }
        typeOf(Type.getReturnType(descriptor));
    }

    private void typeOf(Type t) {
        Type e = t.getSort() == Type.ARRAY ? t.getElementType() : t;
        if (e.getSort() == Type.OBJECT) {
            type(e.getInternalName());
        }
    }

    /** Also a member named through a class of ours that Jenkins declares (an inherited {@code run(Block)}). */
    private void member(String kind, String owner, String name, String desc, boolean field) {
        if (owner.startsWith("[") || owner.startsWith("java/") || owner.startsWith("javax/")) {
            return;
        }
        String key = field ? name + ":" + desc : name + desc;
        if (!isJenkins(owner)) {
            String declaring = declaring(owner, key, field);
            if (declaring != null && isJenkins(declaring)) {
                entries.add(kind + " " + declaring + "#" + key);
            }
            return;
        }
        type(owner);
        String declaring = declaring(owner, key, field);
        if (declaring == null) {
            problems.add("unresolved " + kind + " " + owner + "#" + key);
            return;
        }
        entries.add(kind + " " + declaring + "#" + key);
    }

    private AnnotationVisitor annotation(String descriptor) {
        String name = Type.getType(descriptor).getInternalName();
        if (isJenkins(name)) {
            type(name);
            entries.add("annotation " + name);
        }
        return null;
    }

    private final class Scanner extends ClassVisitor {
        private String className;
        private String superName;
        private List<String> interfaces;

        Scanner() {
            super(Opcodes.ASM9);
        }

        @Override
        public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
            this.className = name;
            this.superName = superName;
            this.interfaces = List.of(interfaces);
            if (isJenkins(superName)) {
                Model m = model(superName);
                if (m != null && (m.access() & Opcodes.ACC_FINAL) != 0) {
                    problems.add(name + " extends final " + superName);
                }
                entries.add("extends " + superName);
            }
            for (String i : interfaces) {
                if (isJenkins(i)) {
                    entries.add("implements " + i);
                }
            }
            type(superName);
            this.interfaces.forEach(ApiSurface.this::type);
        }

        @Override
        public AnnotationVisitor visitAnnotation(String descriptor, boolean visible) {
            return annotation(descriptor);
        }

        @Override
        public FieldVisitor visitField(int access, String name, String descriptor, String signature, Object value) {
            typeOf(Type.getType(descriptor));
            return new FieldVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String d, boolean visible) {
                    return annotation(d);
                }
            };
        }

        @Override
        public MethodVisitor visitMethod(int access, String name, String descriptor, String signature, String[] exceptions) {
            types(descriptor);
            if ((access & (Opcodes.ACC_STATIC | Opcodes.ACC_PRIVATE)) == 0 && !name.startsWith("<")) {
                overrides(name + descriptor, (access & Opcodes.ACC_SYNTHETIC) != 0);
            }
            return new MethodVisitor(Opcodes.ASM9) {
                @Override
                public AnnotationVisitor visitAnnotation(String d, boolean visible) {
                    return annotation(d);
                }

                @Override
                public AnnotationVisitor visitParameterAnnotation(int parameter, String d, boolean visible) {
                    return annotation(d);
                }

                @Override
                public void visitMethodInsn(int opcode, String owner, String n, String d, boolean isInterface) {
                    member("call", owner, n, d, false);
                    types(d);
                }

                @Override
                public void visitFieldInsn(int opcode, String owner, String n, String d) {
                    member("field", owner, n, d, true);
                }

                @Override
                public void visitTypeInsn(int opcode, String type) {
                    if (!type.startsWith("[")) {
                        type(type);
                    } else {
                        typeOf(Type.getType(type));
                    }
                }

                @Override
                public void visitLdcInsn(Object value) {
                    if (value instanceof Type t) {
                        typeOf(t);
                    }
                }

                @Override
                public void visitInvokeDynamicInsn(String n, String d, Handle bootstrap, Object... args) {
                    types(d);
                    for (Object a : args) {
                        if (a instanceof Handle h) {
                            member("call", h.getOwner(), h.getName(), h.getDesc(), false);
                        }
                    }
                }
            };
        }

        /**
         * A method of ours that a Jenkins supertype declares, also through classes of ours in
         * between: an override, which must not be of a final method.
         */
        private void overrides(String method, boolean bridge) {
            Deque<String> queue = new ArrayDeque<>();
            if (superName != null) {
                queue.add(superName);
            }
            queue.addAll(interfaces);
            while (!queue.isEmpty()) {
                String s = queue.poll();
                Model m = model(s);
                if (m == null) {
                    continue;
                }
                if (isJenkins(s) && m.methods().containsKey(method)) {
                    if ((m.methods().get(method) & Opcodes.ACC_FINAL) != 0) {
                        problems.add(className + " overrides final " + s + "#" + method);
                    }
                    entries.add("override " + s + "#" + method + (bridge ? " (bridge)" : ""));
                    return;
                }
                if (m.superName() != null) {
                    queue.add(m.superName());
                }
                queue.addAll(m.interfaces());
            }
        }
    }
}
