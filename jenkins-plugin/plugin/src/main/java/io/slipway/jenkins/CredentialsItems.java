package io.slipway.jenkins;

import com.cloudbees.jenkins.plugins.sshcredentials.SSHUserPrivateKey;
import com.cloudbees.plugins.credentials.CredentialsProvider;
import com.cloudbees.plugins.credentials.common.StandardCredentials;
import com.cloudbees.plugins.credentials.common.StandardListBoxModel;
import com.cloudbees.plugins.credentials.common.StandardUsernamePasswordCredentials;
import hudson.model.Item;
import hudson.util.ListBoxModel;
import java.util.List;
import jenkins.model.Jenkins;
import org.jenkinsci.plugins.plaincredentials.FileCredentials;
import org.jenkinsci.plugins.plaincredentials.StringCredentials;

/**
 * The credentials drop-downs of the step forms: the IDs of the kinds a field takes (as
 * {@link StepCredentials} reads them) that the job may use. Only someone who may configure the job
 * (or use its credentials), or an administrator outside a job, sees the list; anyone else sees the
 * field's current value alone, as the Credentials plugin asks of every such list.
 */
final class CredentialsItems {
    static final List<Class<? extends StandardCredentials>> REGISTRY = List.of(StandardUsernamePasswordCredentials.class,
            StringCredentials.class);
    static final List<Class<? extends StandardCredentials>> GIT = List.of(StandardUsernamePasswordCredentials.class,
            StringCredentials.class, SSHUserPrivateKey.class);
    static final List<Class<? extends StandardCredentials>> SIGNING_KEY = List.of(FileCredentials.class, StringCredentials.class);
    static final List<Class<? extends StandardCredentials>> SECRET_TEXT = List.of(StringCredentials.class);

    private CredentialsItems() {
    }

    /**
     * @param item    the job whose form this is, or null outside a job
     * @param current the field's current value, kept in the list so that saving the form does not lose it
     */
    static ListBoxModel of(Item item, String current, List<Class<? extends StandardCredentials>> kinds) {
        StandardListBoxModel model = new StandardListBoxModel();
        boolean mayList = item == null ? Jenkins.get().hasPermission(Jenkins.ADMINISTER)
                : item.hasPermission(Item.EXTENDED_READ) || item.hasPermission(CredentialsProvider.USE_ITEM);
        if (mayList) {
            model.includeEmptyValue();
            for (Class<? extends StandardCredentials> kind : kinds) {
                model.include(item, kind);
            }
        }
        model.includeCurrentValue(current == null ? "" : current);
        return model;
    }
}
