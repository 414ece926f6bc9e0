package io.slipway.trust.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.interfaces.ECPublicKey;
import java.util.Objects;

/**
 * Generates an ECDSA P-256 key pair in cosign's file format: {@code <prefix>.key} (an
 * {@code ENCRYPTED COSIGN PRIVATE KEY}) and {@code <prefix>.pub} (a {@code PUBLIC KEY}). This is what
 * {@code slipway key generate} runs; the files work with cosign and skopeo as they are.
 */
public final class CosignKeyGenerator {

    /** The key pair as file contents. */
    public record GeneratedKeyPair(String privateKeyPem, String publicKeyPem, ECPublicKey publicKey) {
        /** Never the secret: a record's toString ends up in logs and exception messages. */
        @Override
        public String toString() {
            return "GeneratedKeyPair[privateKeyPem=***, publicKeyPem=" + publicKeyPem + "]";
        }

    }

    /** Where {@link #writeTo} put the two files. */
    public record KeyPairFiles(Path privateKey, Path publicKey) {
    }

    private final SecureRandom random;
    private final ScryptParams scrypt;

    public CosignKeyGenerator() {
        this(new SecureRandom(), ScryptParams.DEFAULT);
    }

    public CosignKeyGenerator(SecureRandom random, ScryptParams scrypt) {
        this.random = Objects.requireNonNull(random, "random");
        this.scrypt = Objects.requireNonNull(scrypt, "scrypt");
    }

    /** A new key pair, the private key encrypted under {@code passphrase} (empty is allowed, as in cosign). */
    public GeneratedKeyPair generate(char[] passphrase) {
        KeyPair pair = EcKeys.generateP256(random);
        PemBlock encrypted = CosignEncryptedKey.encrypt(pair.getPrivate().getEncoded(), passphrase, scrypt, random);
        return new GeneratedKeyPair(encrypted.encode(), KeyFiles.publicKeyPem(pair.getPublic()), (ECPublicKey) pair.getPublic());
    }

    /**
     * Generates a pair and writes {@code <prefix>.key} (owner read/write only) and
     * {@code <prefix>.pub} into {@code directory}. Existing files are never overwritten: losing a
     * signing key by accident cannot be undone.
     */
    public KeyPairFiles writeTo(Path directory, String prefix, char[] passphrase) throws IOException {
        Path privateFile = directory.resolve(prefix + ".key");
        Path publicFile = directory.resolve(prefix + ".pub");
        for (Path p : new Path[] {privateFile, publicFile}) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString(), null, "refusing to overwrite an existing key file");
            }
        }
        GeneratedKeyPair pair = generate(passphrase);
        Files.createDirectories(directory);
        writeNew(privateFile, pair.privateKeyPem(), true);
        writeNew(publicFile, pair.publicKeyPem(), false);
        return new KeyPairFiles(privateFile, publicFile);
    }

    // The file is created with its final permissions, so the secret is never readable by others, not even briefly.
    private static void writeNew(Path file, String content, boolean secret) throws IOException {
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString(secret ? "rw-------" : "rw-r--r--")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system: the directory's ACLs apply
        }
        Files.writeString(file, content, StandardCharsets.US_ASCII, StandardOpenOption.WRITE);
    }
}
