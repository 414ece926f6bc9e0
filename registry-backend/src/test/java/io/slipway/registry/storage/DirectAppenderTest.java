package io.slipway.registry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Appends past {@link DirectAppender#DIRECT_FROM} go to the disk with O_DIRECT in aligned blocks;
 * whatever the pieces' sizes and the offsets an append starts at, the file holds exactly the bytes
 * written. The files live under the module's target folder, on the clone's own file system; where
 * that refuses O_DIRECT every write is an ordinary one, and the tests say which they saw.
 */
class DirectAppenderTest {
    private Path dir;
    private final Random random = new Random(42);

    @BeforeEach
    void folder() throws Exception {
        dir = Files.createDirectories(Path.of("target", "direct-appender-test"));
    }

    private Path newFile(String name) throws Exception {
        Path f = dir.resolve(name);
        Files.deleteIfExists(f);
        return Files.createFile(f);
    }

    private byte[] bytes(int n) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static boolean directPossible(Path file) {
        try (var c = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.WRITE,
                com.sun.nio.file.ExtendedOpenOption.DIRECT)) {
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    @Test
    void piecesOfEverySizeCrossingIntoDirectWritesReadBackExactly() throws Exception {
        Path f = newFile("pieces");
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        int[] sizes = {1, 4095, 4097, 16_384, 16_406, 524_288, 1 << 20, (1 << 20) + 1, 3, 2_000_000, 7};
        try (DirectAppender a = DirectAppender.open(f)) {
            long total = 0;
            int i = 0;
            while (total < DirectAppender.DIRECT_FROM + (5 << 20) + 12_345) {
                byte[] piece = bytes(sizes[i++ % sizes.length]);
                a.write(ByteBuffer.wrap(piece));
                expected.writeBytes(piece);
                total += piece.length;
                assertThat(a.position()).isEqualTo(total);
            }
            assertThat(a.usesDirect()).isEqualTo(directPossible(f));
        }
        assertThat(Files.readAllBytes(f)).isEqualTo(expected.toByteArray());
    }

    @Test
    void anAppendResumedAtAnUnalignedOffsetKeepsWhatWasThere() throws Exception {
        Path f = newFile("resumed");
        byte[] first = bytes((int) DirectAppender.DIRECT_FROM + 1_000_003);
        byte[] second = bytes(3_000_017);
        try (DirectAppender a = DirectAppender.open(f)) {
            ByteBuffer direct = ByteBuffer.allocateDirect(first.length).put(first).flip();
            a.write(direct);
        }
        assertThat(Files.size(f)).isEqualTo(first.length);
        try (DirectAppender a = DirectAppender.open(f)) {
            assertThat(a.position()).isEqualTo(first.length);
            a.write(ByteBuffer.wrap(second));
        }
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes(first);
        expected.writeBytes(second);
        assertThat(Files.readAllBytes(f)).isEqualTo(expected.toByteArray());
    }

    @Test
    void truncateDropsStagedAndWrittenBytesPastTheSize() throws Exception {
        Path f = newFile("truncated");
        byte[] kept = bytes((int) DirectAppender.DIRECT_FROM + 5_000);
        try (DirectAppender a = DirectAppender.open(f)) {
            a.write(ByteBuffer.wrap(kept));
            long size = a.position();
            a.write(ByteBuffer.wrap(bytes(3_500_000))); // some of it written, some staged
            a.truncate(size);
            assertThat(a.position()).isEqualTo(size);
            byte[] more = bytes(2_100_000);
            a.write(ByteBuffer.wrap(more));
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(kept);
            expected.writeBytes(more);
            a.close();
            assertThat(Files.readAllBytes(f)).isEqualTo(expected.toByteArray());
        }
    }

    @Test
    void aSmallFileIsWrittenTheOrdinaryWay() throws Exception {
        Path f = newFile("small");
        byte[] b = bytes(70_000);
        try (DirectAppender a = DirectAppender.open(f)) {
            a.write(ByteBuffer.wrap(b));
            assertThat(a.usesDirect()).as("no aligned buffer is taken below DIRECT_FROM").isFalse();
        }
        assertThat(Files.readAllBytes(f)).isEqualTo(b);
    }
}
