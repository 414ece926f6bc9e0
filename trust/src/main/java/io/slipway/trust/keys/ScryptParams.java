package io.slipway.trust.keys;

/**
 * Cost parameters of the scrypt key derivation in an encrypted key file. Limits apply when reading
 * a file, because the parameters come from the file itself and a hostile file could otherwise ask
 * for gigabytes of memory.
 */
public record ScryptParams(int n, int r, int p) {

    /** What skopeo's {@code generate-sigstore-key} writes: 64 MiB of memory, well under a second. */
    public static final ScryptParams DEFAULT = new ScryptParams(65536, 8, 1);

    private static final long MAX_MEMORY_BYTES = 256L * 1024 * 1024;

    public ScryptParams {
        if (n < 2 || (n & (n - 1)) != 0) {
            throw new KeyFileException("scrypt N must be a power of two greater than 1");
        }
        if (r < 1 || p < 1 || (long) r * p >= (1 << 30)) {
            throw new KeyFileException("scrypt r and p must be positive and r*p < 2^30");
        }
        if (128L * n * r > MAX_MEMORY_BYTES || (long) p > 16) {
            throw new KeyFileException("scrypt parameters N=" + n + " r=" + r + " p=" + p + " exceed Slipway's limits");
        }
    }
}
