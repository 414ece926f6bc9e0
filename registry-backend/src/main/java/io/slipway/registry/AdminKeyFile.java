package io.slipway.registry;

import io.slipway.registry.config.DataFolder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The administrator API key generated on a first start, written to {@code admin-api-key} in the
 * data folder with mode 0600. Printing it would leave it in terminal scroll-back, CI logs and
 * container logs; the file's path is printed instead, and the administrator deletes the file
 * once the key is stored elsewhere.
 */
final class AdminKeyFile {
    static final String NAME = "admin-api-key";

    private AdminKeyFile() {
    }

    static Path write(Path dataDir, String key) throws IOException {
        Path file = dataDir.resolve(NAME).toAbsolutePath();
        Path tmp = dataDir.resolve(NAME + ".tmp");
        Files.deleteIfExists(tmp);
        Files.write(Files.createFile(tmp, DataFolder.fileAttributes()), (key + "\n").getBytes(StandardCharsets.UTF_8),
                StandardOpenOption.WRITE);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
