package io.slipway.trust.keys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class SecretBoxTest {

    // The crypto_secretbox test vector of the NaCl distribution (tests/secretbox.c, "firstkey" and "nonce").
    private static final byte[] KEY = HexFormat.of().parseHex(
            "1b27556473e985d462cd51197a9a46c76009549eac6474f206c4ee0844f68389");
    private static final byte[] NONCE = HexFormat.of().parseHex("69696ee955b62b73cd62bda875fc73d68219e0036b7a0b37");
    private static final byte[] MESSAGE = HexFormat.of().parseHex(
            "be075fc53c81f2d5cf141316ebeb0c7b5228c52a4c62cbd44b66849b64244ffce5ecbaaf33bd751a1ac728d45e6c6129"
                    + "6cdc3c01233561f41db66cce314adb310e3be8250c46f06dceea3a7fa1348057e2f6556ad6b1318a024a838f21af1fde"
                    + "048977eb48f59ffd4924ca1c60902e52f0a089bc76897040e082f937763848645e0705");
    private static final String BOX =
            "f3ffc7703f9400e52a7dfb4b3d3305d98e993b9f48681273c29650ba32fc76ce48332ea7164d96a4476fb8c531a1186a"
                    + "c0dfc17c98dce87b4da7f011ec48c97271d2c20f9b928fe2270d6fb863d51738b48eeee314a7cc8ab932164548e526ae"
                    + "90224368517acfeabd6bb3732bc0e9da99832b61ca01b6de56244a9e88d5f9b37973f622a43d14a6599b1f654cb45a74"
                    + "e355a5";

    @Test
    void matchesTheNaclTestVector() {
        assertThat(HexFormat.of().formatHex(SecretBox.seal(KEY, NONCE, MESSAGE))).isEqualTo(BOX);
        assertThat(SecretBox.open(KEY, NONCE, HexFormat.of().parseHex(BOX))).isEqualTo(MESSAGE);
    }

    @Test
    void refusesAChangedBoxOrKey() {
        byte[] box = SecretBox.seal(KEY, NONCE, "secret".getBytes(StandardCharsets.UTF_8));
        for (int i = 0; i < box.length; i++) {
            byte[] damaged = box.clone();
            damaged[i] ^= 0x40;
            assertThat(SecretBox.open(KEY, NONCE, damaged)).as("byte %d changed", i).isNull();
        }
        byte[] otherKey = KEY.clone();
        otherKey[0] ^= 1;
        assertThat(SecretBox.open(otherKey, NONCE, box)).isNull();
        assertThat(SecretBox.open(KEY, NONCE, new byte[5])).isNull();
    }
}
