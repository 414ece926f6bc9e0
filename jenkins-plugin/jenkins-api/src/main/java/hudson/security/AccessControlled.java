package hudson.security;

/** Only the check the plugin makes; getACL and the other checks are left out. */
public interface AccessControlled {
    /** In Jenkins, the current user's permission on this object; here, what a test's object says. */
    default boolean hasPermission(Permission permission) {
        return false;
    }
}
