package io.slipway.jenkins;

import hudson.Extension;
import hudson.FilePath;
import hudson.model.Item;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.util.FormValidation;
import hudson.util.ListBoxModel;
import io.slipway.pipeline.PinnedImage;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.sign.SignStep;
import io.slipway.trust.keys.KeyFiles;
import java.io.File;
import java.io.IOException;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.AncestorInPath;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code slipwaySign(image: …, keyCredentialsId: …)}: a cosign signature for the image, stored
 * beside it as {@code sha256-<hex>.sig} (signatures already there are kept). The key is a "Secret
 * file" credential (an encrypted cosign key, passphrase from {@code passphraseCredentialsId}, or a
 * PKCS#8 PEM). Returns a map: {@code signatureTag}, {@code signatureDigest}, {@code signatures}.
 */
public final class SlipwaySignStep extends RegistryStep {
    private static final long serialVersionUID = 1L;

    private final String image;
    private final String keyCredentialsId;
    private String passphraseCredentialsId;

    @DataBoundConstructor
    public SlipwaySignStep(String image, String keyCredentialsId) {
        this.image = image;
        this.keyCredentialsId = keyCredentialsId;
    }

    public String getImage() {
        return image;
    }

    public String getKeyCredentialsId() {
        return keyCredentialsId;
    }

    public String getPassphraseCredentialsId() {
        return passphraseCredentialsId;
    }

    @DataBoundSetter
    public void setPassphraseCredentialsId(String passphraseCredentialsId) {
        this.passphraseCredentialsId = StepCredentials.blankToNull(passphraseCredentialsId);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final SlipwaySignStep step;

        Execution(StepContext context, SlipwaySignStep step) {
            super(context);
            this.step = step;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            String function = DescriptorImpl.FUNCTION;
            try {
                PinnedImage.parse(step.image);
                StepCredentials credentials = StepCredentials.of(getContext());
                RegistryAccess access = credentials.registry(step.getRegistry(), step.getCredentialsId(), function);
                String pem = credentials.pem(step.keyCredentialsId, function);
                String passphrase = credentials.text(step.passphraseCredentialsId, function);
                return Agent.run(getContext().get(FilePath.class), new Sign(step.image, new AgentWork.RegistryLogin(access),
                        pem, passphrase, new StepLog(getContext().get(TaskListener.class))));
            } catch (Exception e) {
                throw Failures.forLog(function, e);
            }
        }
    }

    /** Signs where the workspace is; the key travels there as credentials-binding's file binding would put it. */
    static final class Sign extends AgentWork<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final String image;
        private final RegistryLogin login;
        private final String pem;
        private final String passphrase;

        Sign(String image, RegistryLogin login, String pem, String passphrase, StepLog log) {
            super(DescriptorImpl.FUNCTION, log);
            this.image = image;
            this.login = login;
            this.pem = pem;
            this.passphrase = passphrase;
        }

        @Override
        Map<String, Object> run(File workspace) throws IOException {
            ECPrivateKey key = KeyFiles.readPrivateKey(pem, passphrase.toCharArray());
            RegistryAccess access = login.access();
            SignStep.Result r = new SignStep(access.client(), access.host(), Clock.systemUTC(), log)
                    .run(PinnedImage.parse(image), key);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("signatureTag", r.tag());
            result.put("signatureDigest", r.signatureManifest().toString());
            result.put("signatures", r.signatures());
            return result;
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends SlipwayStepDescriptor {
        static final String FUNCTION = "slipwaySign";

        public DescriptorImpl() {
            super(FUNCTION, "Sign an image (cosign format) in the Slipway registry", Run.class, TaskListener.class);
        }

        public ListBoxModel doFillCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String credentialsId) {
            return CredentialsItems.of(item, credentialsId, CredentialsItems.REGISTRY);
        }

        public ListBoxModel doFillKeyCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String keyCredentialsId) {
            return CredentialsItems.of(item, keyCredentialsId, CredentialsItems.SIGNING_KEY);
        }

        public ListBoxModel doFillPassphraseCredentialsIdItems(@AncestorInPath Item item, @QueryParameter String passphraseCredentialsId) {
            return CredentialsItems.of(item, passphraseCredentialsId, CredentialsItems.SECRET_TEXT);
        }

        public FormValidation doCheckImage(@QueryParameter String value) {
            return Validation.pinnedImage(value);
        }

        public FormValidation doCheckKeyCredentialsId(@QueryParameter String value) {
            return Validation.required(value, "the signing key's credentials ID");
        }

        public FormValidation doCheckRegistry(@QueryParameter String value) {
            return Validation.optionalRegistryUrl(value);
        }
    }
}
