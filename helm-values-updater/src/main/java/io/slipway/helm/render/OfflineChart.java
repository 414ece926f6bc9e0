package io.slipway.helm.render;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A copy of a chart that renders as {@code helm template} does, with no cluster: every call of
 * {@code lookup} returns an empty map.
 *
 * <p>Why a copy: {@code helm template} makes {@code lookup} return empty by running Helm's install
 * action as a client-side dry run ({@code DryRunOption "client"}). helm-java 0.0.21's template
 * command passes no dry-run option (Helm then takes "none", which means "talk to the cluster"),
 * so {@code lookup} asks whatever cluster the process's environment names (a CI agent's kubeconfig,
 * else localhost:8080) and the render fails or, worse, depends on that cluster. Its install
 * command can do a client dry run but returns no manifest. So the copy replaces each call
 * {@code lookup A B C D} in the templates of the chart and of every sub-chart (library charts
 * included; packed ones in {@code charts/} are unpacked first) with {@code omit (dict) A B C D},
 * Sprig's empty map, which is exactly what Helm's offline {@code lookup} returns.
 */
final class OfflineChart implements AutoCloseable {
    private static final String EMPTY_MAP = "omit (dict)";

    private final Path root;
    private final Path chart;

    private OfflineChart(Path root, Path chart) {
        this.root = root;
        this.chart = chart;
    }

    /** Copies {@code chartDir} into a new temporary folder and prepares it; {@link #close()} deletes it. */
    static OfflineChart of(Path chartDir) throws IOException {
        Path root = Files.createTempDirectory("slipway-render-");
        Path copy = root.resolve(chartDir.toAbsolutePath().normalize().getFileName().toString());
        try {
            copyTree(chartDir, copy);
            prepare(copy);
        } catch (IOException | RuntimeException e) {
            deleteTree(root);
            throw e;
        }
        return new OfflineChart(root, copy);
    }

    Path chart() {
        return chart;
    }

    /** Unpacks packed sub-charts and rewrites lookups, in this chart and every sub-chart below it. */
    private static void prepare(Path chartDir) throws IOException {
        Path charts = chartDir.resolve("charts");
        if (Files.isDirectory(charts)) {
            List<Path> packed;
            try (Stream<Path> files = Files.list(charts)) {
                packed = files.filter(p -> p.getFileName().toString().endsWith(".tgz")).toList();
            }
            for (Path tgz : packed) {
                unpack(tgz, charts);
                Files.delete(tgz);
            }
            try (Stream<Path> dirs = Files.list(charts)) {
                for (Path sub : dirs.filter(Files::isDirectory).toList()) {
                    prepare(sub);
                }
            }
        }
        Path templates = chartDir.resolve("templates");
        if (Files.isDirectory(templates)) {
            try (Stream<Path> files = Files.walk(templates)) {
                for (Path f : files.filter(Files::isRegularFile).toList()) {
                    String text = Files.readString(f, StandardCharsets.UTF_8);
                    String offline = withoutLookup(text);
                    if (!offline.equals(text)) {
                        Files.writeString(f, offline, StandardCharsets.UTF_8);
                    }
                }
            }
        }
    }

    /**
     * The template text with each {@code lookup} function call inside a {@code {{ … }}} action
     * replaced; string literals, comments and names such as {@code .Values.lookup} or
     * {@code $lookup} are left alone.
     */
    static String withoutLookup(String text) {
        StringBuilder out = new StringBuilder(text.length());
        int i = 0;
        int n = text.length();
        while (i < n) {
            int open = text.indexOf("{{", i);
            if (open < 0) {
                out.append(text, i, n);
                break;
            }
            out.append(text, i, open + 2);
            int j = open + 2;
            while (j < n && !text.startsWith("}}", j)) {
                char c = text.charAt(j);
                if (c == '"' || c == '`' || c == '\'') {
                    int end = endOfLiteral(text, j);
                    out.append(text, j, end);
                    j = end;
                } else if (text.startsWith("/*", j)) {
                    int end = text.indexOf("*/", j + 2);
                    end = end < 0 ? n : end + 2;
                    out.append(text, j, end);
                    j = end;
                } else if (text.startsWith("lookup", j) && boundaryBefore(text, j) && boundaryAfter(text, j + 6)) {
                    out.append(EMPTY_MAP);
                    j += 6;
                } else {
                    out.append(c);
                    j++;
                }
            }
            i = j;
        }
        return out.toString();
    }

    private static int endOfLiteral(String text, int start) {
        char quote = text.charAt(start);
        int j = start + 1;
        while (j < text.length()) {
            char c = text.charAt(j);
            if (c == '\\' && quote != '`') {
                j += 2;
                continue;
            }
            if (c == quote) {
                return j + 1;
            }
            j++;
        }
        return text.length();
    }

    private static boolean boundaryBefore(String text, int at) {
        if (at == 0) {
            return true;
        }
        char c = text.charAt(at - 1);
        return !(Character.isLetterOrDigit(c) || c == '_' || c == '.' || c == '$');
    }

    private static boolean boundaryAfter(String text, int at) {
        return at >= text.length() || !(Character.isLetterOrDigit(text.charAt(at)) || text.charAt(at) == '_');
    }

    private static void unpack(Path tgz, Path into) throws IOException {
        Path top = into.toAbsolutePath().normalize();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(tgz));
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path target = top.resolve(entry.getName()).normalize();
                if (!target.startsWith(top)) {
                    throw new IOException(tgz.getFileName() + " has an entry outside the chart: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else if (entry.isFile()) {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (Path p : paths.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        deleteTree(root);
    }
}
