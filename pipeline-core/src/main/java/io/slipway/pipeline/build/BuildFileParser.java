package io.slipway.pipeline.build;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * Reads a jib-cli build file strictly: an unknown key is an error rather than silently ignored,
 * because a misspelt {@code entrypoint} would otherwise build an image that does not start.
 */
public final class BuildFileParser {
    private static final Set<String> TOP = Set.of("apiVersion", "kind", "from", "creationTime", "format", "environment",
            "labels", "volumes", "exposedPorts", "user", "workingDirectory", "entrypoint", "cmd", "layers");

    public BuildFile parse(Path file) throws IOException {
        return parse(Files.readString(file), file.toAbsolutePath().getParent());
    }

    public BuildFile parse(String yaml, Path baseDir) {
        Object root;
        try {
            root = new Load(LoadSettings.builder().build()).loadFromString(yaml);
        } catch (YamlEngineException e) {
            throw new InvalidBuildFileException("build file is not valid YAML: " + e.getMessage());
        }
        Map<String, Object> m = map(root, "build file");
        for (String key : m.keySet()) {
            if (!TOP.contains(key)) {
                throw new InvalidBuildFileException("unknown key \"" + key + "\" in build file");
            }
        }
        if (!"jib/v1alpha1".equals(m.get("apiVersion")) || !"BuildFile".equals(m.get("kind"))) {
            throw new InvalidBuildFileException("build file must have apiVersion: jib/v1alpha1 and kind: BuildFile");
        }
        String from = null;
        List<BuildFile.Platform> platforms = new ArrayList<>();
        if (m.get("from") != null) {
            Object f = m.get("from");
            from = f instanceof Map<?, ?> fm ? string(fm.get("image"), "from.image") : string(f, "from");
            if (f instanceof Map<?, ?> fm && fm.get("platforms") != null) {
                for (Object p : list(fm.get("platforms"), "from.platforms")) {
                    Map<String, Object> pm = map(p, "platform");
                    platforms.add(new BuildFile.Platform(string(pm.get("architecture"), "platform architecture"),
                            string(pm.get("os"), "platform os")));
                }
            }
            if ("scratch".equals(from)) {
                from = null;
            }
        }
        Instant created = null;
        if (m.get("creationTime") != null) {
            String t = String.valueOf(m.get("creationTime"));
            try {
                created = t.chars().allMatch(Character::isDigit) ? Instant.ofEpochMilli(Long.parseLong(t)) : Instant.parse(t);
            } catch (DateTimeParseException e) {
                throw new InvalidBuildFileException("creationTime \"" + t + "\" is neither epoch millis nor ISO-8601");
            }
        }
        String format = m.get("format") == null ? "Docker" : string(m.get("format"), "format");
        if (!format.equals("Docker") && !format.equals("OCI")) {
            throw new InvalidBuildFileException("format must be Docker or OCI, not \"" + format + "\"");
        }
        List<BuildFile.Layer> layers = new ArrayList<>();
        if (m.get("layers") != null) {
            Map<String, Object> l = map(m.get("layers"), "layers");
            Map<String, Object> props = l.get("properties") == null ? Map.of() : map(l.get("properties"), "layers.properties");
            // checked here too, so a bad default is refused even before a layer uses it
            permissions(props.get("filePermissions"));
            permissions(props.get("directoryPermissions"));
            for (Object entry : list(l.get("entries"), "layers.entries")) {
                layers.add(layer(map(entry, "layer"), props, baseDir));
            }
        }
        return new BuildFile(from, platforms, created, format, stringMap(m.get("environment"), "environment"),
                stringMap(m.get("labels"), "labels"), strings(m.get("volumes"), "volumes"),
                strings(m.get("exposedPorts"), "exposedPorts"), optional(m.get("user"), "user"),
                optional(m.get("workingDirectory"), "workingDirectory"), nullableStrings(m.get("entrypoint"), "entrypoint"),
                nullableStrings(m.get("cmd"), "cmd"), layers);
    }

    private static BuildFile.Layer layer(Map<String, Object> l, Map<String, Object> inherited, Path baseDir) {
        String name = string(l.get("name"), "layer name");
        Map<String, Object> props = new LinkedHashMap<>(inherited);
        if (l.get("properties") != null) {
            props.putAll(map(l.get("properties"), "layer " + name + " properties"));
        }
        List<BuildFile.Copy> copies = new ArrayList<>();
        for (Object f : list(l.get("files"), "layer " + name + " files")) {
            Map<String, Object> c = map(f, "layer " + name + " file");
            String dest = string(c.get("dest"), "dest");
            if (!dest.startsWith("/")) {
                throw new InvalidBuildFileException("dest \"" + dest + "\" in layer " + name + " is not absolute");
            }
            copies.add(new BuildFile.Copy(baseDir.resolve(string(c.get("src"), "src")).normalize(), dest));
        }
        return new BuildFile.Layer(name, copies, permissions(props.get("filePermissions")),
                permissions(props.get("directoryPermissions")));
    }

    private static String permissions(Object o) {
        if (o == null) {
            return null;
        }
        String p = String.valueOf(o);
        if (!p.matches("[0-7]{3}")) {
            throw new InvalidBuildFileException("permissions must be three octal digits, not \"" + p + "\"");
        }
        return p;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o, String what) {
        if (!(o instanceof Map)) {
            throw new InvalidBuildFileException(what + " must be a mapping");
        }
        return (Map<String, Object>) o;
    }

    private static List<?> list(Object o, String what) {
        if (o == null) {
            return List.of();
        }
        if (!(o instanceof List<?> l)) {
            throw new InvalidBuildFileException(what + " must be a list");
        }
        return l;
    }

    private static String string(Object o, String what) {
        if (o == null || o instanceof Map || o instanceof List) {
            throw new InvalidBuildFileException(what + " must be a string");
        }
        return String.valueOf(o);
    }

    private static String optional(Object o, String what) {
        return o == null ? null : string(o, what);
    }

    private static List<String> strings(Object o, String what) {
        List<String> out = new ArrayList<>();
        for (Object e : list(o, what)) {
            out.add(string(e, what + " entry"));
        }
        return out;
    }

    /** Null (not given) differs from empty here: Jib then keeps the base image's value. */
    private static List<String> nullableStrings(Object o, String what) {
        return o == null ? null : strings(o, what);
    }

    private static Map<String, String> stringMap(Object o, String what) {
        Map<String, String> out = new LinkedHashMap<>();
        if (o != null) {
            map(o, what).forEach((k, v) -> out.put(k, string(v, what + "." + k)));
        }
        return out;
    }
}
