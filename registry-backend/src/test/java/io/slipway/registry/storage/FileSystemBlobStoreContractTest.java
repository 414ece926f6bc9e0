package io.slipway.registry.storage;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The blob store contract on the embedded default, a local directory. */
class FileSystemBlobStoreContractTest extends BlobStoreContract {
    @TempDir
    Path root;

    @Override
    protected BlobStore openStore() throws Exception {
        return new FileSystemBlobStore(root);
    }
}
