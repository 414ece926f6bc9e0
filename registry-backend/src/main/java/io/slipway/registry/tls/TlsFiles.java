package io.slipway.registry.tls;

import java.nio.file.Path;

/**
 * A listener's certificate (PEM, leaf first, then its chain) and private key, and optionally the
 * CA bundle whose client certificates it requires (mutual TLS).
 */
public record TlsFiles(Path cert, Path key, Path clientCA) {
    public TlsFiles {
        if (cert == null || key == null) {
            throw new IllegalArgumentException("tls needs both cert and key");
        }
    }
}
