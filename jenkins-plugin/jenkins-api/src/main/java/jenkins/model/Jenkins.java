package jenkins.model;

import hudson.security.AccessControlled;
import hudson.security.Permission;

/** The controller. Only what the plugin calls; its supertypes come down to AccessControlled here. */
public class Jenkins implements AccessControlled {
    /** Core's Permission.HUDSON_ADMINISTER; null here, never inlined. */
    public static final Permission ADMINISTER = null;

    private Jenkins() {
    }

    public static Jenkins get() throws IllegalStateException {
        throw new IllegalStateException("Jenkins is not running");
    }
}
