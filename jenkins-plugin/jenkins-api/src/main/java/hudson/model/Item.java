package hudson.model;

import hudson.security.AccessControlled;
import hudson.security.Permission;

/** A job or folder. Supertypes other than AccessControlled, and all other members, are left out. */
public interface Item extends AccessControlled {
    /** Core's permission object; null here, never inlined (not a constant expression). */
    Permission EXTENDED_READ = null;
}
