package hudson.model;

import java.io.PrintStream;
import java.io.Serializable;

/** In Jenkins a SerializableOnlyOverRemoting; Serializable is the part the plugin relies on. */
public interface TaskListener extends Serializable {
    PrintStream getLogger();
}
