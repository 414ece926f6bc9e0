package hudson.model;

public abstract class Descriptor<T extends Describable<T>> {
    /** As in Jenkins, the described class is the one this descriptor is nested in. */
    protected Descriptor() {
        if (getClass().getEnclosingClass() == null) {
            throw new AssertionError(getClass() + " is not nested in the class it describes; pass that class instead");
        }
    }

    protected Descriptor(Class<? extends T> clazz) {
    }

    public String getDisplayName() {
        return getClass().getSimpleName();
    }
}
