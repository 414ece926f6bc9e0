package org.jenkinsci.plugins.workflow.steps;

import java.io.Serializable;

public abstract class BodyExecution implements Serializable {
}
