package io.slipway.trust.verify;

import io.slipway.trust.SignatureFormat;
import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.VerifiedSignature;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The outcome of checking every signature of an image: those accepted, and why each other one was
 * refused. An image is verified when at least one signature is accepted; the refusals are kept
 * because "why is my image not trusted" is the first question a refusal raises.
 */
public record VerificationResult(List<VerifiedSignature> accepted, List<Refusal> refused) {

    /** One refused signature: which one (format and position among its format's signatures) and why. */
    public record Refusal(SignatureFormat format, int index, SignatureVerificationException.Reason reason, String message) {
        @Override
        public String toString() {
            return format.cliName() + " signature " + (index + 1) + ": " + message;
        }
    }

    public VerificationResult {
        accepted = List.copyOf(accepted);
        refused = List.copyOf(refused);
    }

    public boolean isVerified() {
        return !accepted.isEmpty();
    }

    /** One line for people: who signed, or why nothing counted. */
    public String summary() {
        if (isVerified()) {
            return "signed by " + accepted.stream()
                    .map(v -> v.signer() + " (" + v.format().cliName() + ", " + v.keyId() + ")")
                    .distinct().collect(Collectors.joining(", "));
        }
        if (refused.isEmpty()) {
            return "no signature found";
        }
        return "no valid signature: " + refused.stream().map(Refusal::toString).collect(Collectors.joining("; "));
    }
}
