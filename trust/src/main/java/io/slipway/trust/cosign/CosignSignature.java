package io.slipway.trust.cosign;

import java.util.Arrays;
import java.util.Map;
import java.util.Objects;

/**
 * One cosign signature as stored: the exact payload bytes that were signed, the base64 ECDSA
 * signature from the layer annotation {@code dev.cosignproject.cosign/signature}, and any other
 * annotations of its layer (certificate, chain, bundle), kept so that copying a signature loses
 * nothing. Nothing here is trusted until a verifier has checked it.
 */
public record CosignSignature(byte[] payload, String base64Signature, Map<String, String> otherAnnotations) {

    public CosignSignature {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(base64Signature, "base64Signature");
        payload = payload.clone();
        otherAnnotations = otherAnnotations == null ? Map.of() : Map.copyOf(otherAnnotations);
        if (otherAnnotations.containsKey(CosignFormat.SIGNATURE_ANNOTATION)) {
            throw new IllegalArgumentException("the signature annotation is base64Signature, not another annotation");
        }
    }

    public CosignSignature(byte[] payload, String base64Signature) {
        this(payload, base64Signature, Map.of());
    }

    @Override
    public byte[] payload() {
        return payload.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CosignSignature other && Arrays.equals(payload, other.payload)
                && base64Signature.equals(other.base64Signature) && otherAnnotations.equals(other.otherAnnotations);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(payload), base64Signature, otherAnnotations);
    }

    @Override
    public String toString() {
        return "CosignSignature[" + payload.length + " payload bytes, signature " + base64Signature + "]";
    }
}
