package io.slipway.jenkins;

import hudson.Extension;
import hudson.FilePath;
import hudson.model.Run;
import hudson.model.TaskListener;
import hudson.remoting.VirtualChannel;
import hudson.util.FormValidation;
import io.slipway.pipeline.ImageInput;
import io.slipway.pipeline.RegistryAccess;
import io.slipway.pipeline.sign.SignStep;
import io.slipway.trust.keys.KeyFiles;
import java.io.File;
import java.io.IOException;
import java.security.interfaces.ECPrivateKey;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import jenkins.MasterToSlaveFileCallable;
import org.jenkinsci.Symbol;
import org.jenkinsci.plugins.workflow.steps.Step;
import org.jenkinsci.plugins.workflow.steps.StepContext;
import org.jenkinsci.plugins.workflow.steps.StepDescriptor;
import org.jenkinsci.plugins.workflow.steps.StepExecution;
import org.jenkinsci.plugins.workflow.steps.SynchronousNonBlockingStepExecution;
import org.kohsuke.stapler.DataBoundConstructor;
import org.kohsuke.stapler.DataBoundSetter;
import org.kohsuke.stapler.QueryParameter;

/**
 * {@code slipwaySign(image: …, keyCredentialsId: …)}: a cosign signature for the image, stored
 * beside it as {@code sha256-<hex>.sig} (signatures already there are kept). The key is a "Secret
 * file" credential (an encrypted cosign key, passphrase from {@code passphraseCredentialsId}, or a
 * PKCS#8 PEM). Returns a map: {@code signatureTag}, {@code signatureDigest}, {@code signatures}.
 */
public final class SlipwaySignStep extends Step {
    private final String image;
    private final String keyCredentialsId;
    private String passphraseCredentialsId;
    private String registry;
    private String credentialsId;

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

    public String getRegistry() {
        return registry;
    }

    @DataBoundSetter
    public void setRegistry(String registry) {
        this.registry = StepCredentials.blankToNull(registry);
    }

    public String getCredentialsId() {
        return credentialsId;
    }

    @DataBoundSetter
    public void setCredentialsId(String credentialsId) {
        this.credentialsId = StepCredentials.blankToNull(credentialsId);
    }

    @Override
    public StepExecution start(StepContext context) {
        return new Execution(context, this);
    }

    static final class Execution extends SynchronousNonBlockingStepExecution<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final String image;
        private final String keyCredentialsId;
        private final String passphraseCredentialsId;
        private final String registry;
        private final String credentialsId;

        Execution(StepContext context, SlipwaySignStep step) {
            super(context);
            this.image = step.image;
            this.keyCredentialsId = step.keyCredentialsId;
            this.passphraseCredentialsId = step.passphraseCredentialsId;
            this.registry = step.registry;
            this.credentialsId = step.credentialsId;
        }

        @Override
        protected Map<String, Object> run() throws Exception {
            String function = DescriptorImpl.FUNCTION;
            try {
                ImageInput.parse(image);
                StepCredentials credentials = StepCredentials.of(getContext());
                RegistryAccess access = credentials.registry(registry, credentialsId, function);
                String pem = credentials.pem(keyCredentialsId, function);
                String passphrase = credentials.text(passphraseCredentialsId, function);
                return Agent.run(getContext().get(FilePath.class), new SignOnAgent(access.url(), access.user(),
                        access.secret(), image, pem, passphrase, new StepLog(getContext().get(TaskListener.class))));
            } catch (Exception e) {
                throw Failures.forLog(function, e);
            }
        }
    }

    static final class SignOnAgent extends MasterToSlaveFileCallable<Map<String, Object>> {
        private static final long serialVersionUID = 1L;

        private final String url;
        private final String user;
        private final String secret;
        private final String image;
        private final String pem;
        private final String passphrase;
        private final StepLog log;

        SignOnAgent(String url, String user, String secret, String image, String pem, String passphrase, StepLog log) {
            this.url = url;
            this.user = user;
            this.secret = secret;
            this.image = image;
            this.pem = pem;
            this.passphrase = passphrase;
            this.log = log;
        }

        @Override
        public Map<String, Object> invoke(File workspace, VirtualChannel channel) throws IOException {
            ECPrivateKey key = KeyFiles.readPrivateKey(pem, passphrase.toCharArray());
            RegistryAccess access = new RegistryAccess(url, user, secret);
            SignStep.Result r = new SignStep(access.client(), access.host(), Clock.systemUTC(), log)
                    .run(ImageInput.parse(image), key);
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("signatureTag", r.tag());
            result.put("signatureDigest", r.signatureManifest().toString());
            result.put("signatures", r.signatures());
            return result;
        }
    }

    @Extension
    @Symbol(DescriptorImpl.FUNCTION)
    public static final class DescriptorImpl extends StepDescriptor {
        static final String FUNCTION = "slipwaySign";

        @Override
        public String getFunctionName() {
            return FUNCTION;
        }

        @Override
        public String getDisplayName() {
            return "Sign an image (cosign format) in the Slipway registry";
        }

        @Override
        public Set<? extends Class<?>> getRequiredContext() {
            return Set.of(Run.class, TaskListener.class);
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
