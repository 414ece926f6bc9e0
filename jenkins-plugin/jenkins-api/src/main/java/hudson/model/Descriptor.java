package hudson.model;

public abstract class Descriptor<T extends Describable<T>> {
    protected Descriptor() {
    }

    protected Descriptor(Class<? extends T> clazz) {
    }

    public String getDisplayName() {
        return getClass().getSimpleName();
    }
}
