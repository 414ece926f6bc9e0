package io.slipway.jenkins;

import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.IdCredentials;
import hudson.model.Run;

/**
 * Where a step finds the credentials its parameters name. In Jenkins that is the Credentials
 * plugin, for the build, and the use is recorded against the build (findCredentialById does not
 * track; the Credentials plugin leaves that to the caller). A step asks its context first, so a
 * test can hand it credentials without a Jenkins; a controller never provides one.
 */
public interface CredentialLookup {
    /** The credentials with this ID and type that the build may use, or null. */
    <C extends IdCredentials> C find(String id, Class<C> type, Run<?, ?> run);

    CredentialLookup JENKINS = new CredentialLookup() {
        @Override
        public <C extends IdCredentials> C find(String id, Class<C> type, Run<?, ?> run) {
            return CredentialsProvider.track(run, CredentialsProvider.findCredentialById(id, type, run));
        }
    };
}
