package hudson.security;

/** A permission; its constructors and fields are left out (the plugin only passes core's permissions on). */
public final class Permission {
    private Permission() {
    }
}
