package io.slipway.registry.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.slipway.oci.ErrorCode;
import io.slipway.registry.distribution.OciError;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz tests of the two range headers the registry reads: an upload chunk's {@code Content-Range}
 * (refused only with a 416 {@link OciError}) and a blob GET's {@code Range} (unsatisfiable or
 * unsupported is null, answered with the whole blob or a 416). Any other exception is a bug.
 */
class RangeHeadersFuzzTest {

    @FuzzTest
    void contentRange(byte[] input) {
        String header = new String(input, StandardCharsets.UTF_8);
        ContentRange range;
        try {
            range = ContentRange.parse(header);
        } catch (OciError refused) {
            assertThat(refused.code()).isEqualTo(ErrorCode.RANGE_INVALID);
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat(range).isNotNull();
        assertThat(range.start()).isNotNegative();
        assertThat(range.end()).isGreaterThanOrEqualTo(range.start());
        assertThat(range.length()).isPositive();
    }

    /** The input is the header; the blob size comes from its first eight bytes when there are more. */
    @FuzzTest
    void byteRange(byte[] input) {
        long size = 1000;
        int from = 0;
        if (input.length > 8 && input[0] == '#') {
            size = java.nio.ByteBuffer.wrap(input, 1, 8).getLong() & Long.MAX_VALUE;
            from = 9;
        }
        String header = new String(input, from, input.length - from, StandardCharsets.UTF_8);
        ByteRange range = ByteRange.parse(header, size);
        if (range != null) {
            assertThat(range.start()).isNotNegative();
            assertThat(range.length()).isPositive();
            assertThat(range.start() + range.length()).isLessThanOrEqualTo(size);
        }
    }
}
