package jenkins;

import hudson.FilePath;
import org.jenkinsci.remoting.RoleChecker;

public abstract class MasterToSlaveFileCallable<T> implements FilePath.FileCallable<T> {
    /** In Jenkins: runs only on an agent, never from an agent onto the controller. */
    @Override
    public void checkRoles(RoleChecker checker) throws SecurityException {
    }
}
