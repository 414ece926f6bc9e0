package io.slipway.trust;

/** The two signature formats Slipway reads and writes. */
public enum SignatureFormat {
    /** A sigstore/cosign "simple signing" payload with an ECDSA signature, stored as an OCI attachment. */
    COSIGN("cosign"),
    /** A Red Hat "atomic container signature" inside an OpenPGP signed message. */
    SIMPLE_SIGNING("simple-signing");

    private final String cliName;

    SignatureFormat(String cliName) {
        this.cliName = cliName;
    }

    /** The name the command line uses ({@code --format cosign|simple-signing}). */
    public String cliName() {
        return cliName;
    }

    public static SignatureFormat fromCliName(String name) {
        for (SignatureFormat f : values()) {
            if (f.cliName.equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown signature format \"" + name + "\" (expected cosign or simple-signing)");
    }
}
