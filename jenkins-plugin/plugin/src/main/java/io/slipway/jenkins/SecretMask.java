package io.slipway.jenkins;

import hudson.console.ConsoleLogFilter;
import hudson.model.Run;
import hudson.util.Secret;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * Masks the registry secret of a {@code withSlipwayRegistry} block in everything its body writes to
 * the log, {@code sh} steps included; also the secret's Base64 form as it appears in a Docker config.
 * The secrets are kept as {@link Secret}s, which Jenkins stores encrypted with the build's state.
 */
final class SecretMask extends ConsoleLogFilter implements Serializable {
    private static final long serialVersionUID = 1L;

    private final List<Secret> secrets = new ArrayList<>();

    SecretMask(List<String> plain) {
        for (String s : plain) {
            secrets.add(Secret.fromString(s));
        }
    }

    @Override
    @SuppressWarnings("rawtypes")
    public OutputStream decorateLogger(Run build, OutputStream logger) {
        List<String> plain = new ArrayList<>();
        for (Secret s : secrets) {
            plain.add(s.getPlainText());
        }
        return new MaskingOutputStream(logger, plain);
    }
}
