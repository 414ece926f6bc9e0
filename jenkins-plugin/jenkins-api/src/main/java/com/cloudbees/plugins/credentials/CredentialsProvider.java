package com.cloudbees.plugins.credentials;

import com.cloudbees.plugins.credentials.common.IdCredentials;
import com.cloudbees.plugins.credentials.domains.DomainRequirement;
import hudson.model.Run;
import java.util.List;

/** Every overload of the lookups the plugin calls, so that javac binds the call as it would against the real class. */
public abstract class CredentialsProvider {
    /** Core's "Credentials/UseItem" permission; null here, never inlined. */
    public static final hudson.security.Permission USE_ITEM = null;

    private CredentialsProvider() {
    }

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run) {
        throw new UnsupportedOperationException("credentials are looked up in a running Jenkins");
    }

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run,
                                                                  DomainRequirement... domainRequirements) {
        throw new UnsupportedOperationException("credentials are looked up in a running Jenkins");
    }

    public static <C extends IdCredentials> C findCredentialById(String id, Class<C> type, Run<?, ?> run,
                                                                  List<DomainRequirement> domainRequirements) {
        throw new UnsupportedOperationException("credentials are looked up in a running Jenkins");
    }

    @SuppressWarnings("rawtypes")
    public static <C extends Credentials> C track(Run build, C credentials) {
        throw new UnsupportedOperationException("credentials are tracked in a running Jenkins");
    }
}
