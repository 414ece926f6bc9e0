package hudson.model;

/** A folder or Jenkins itself; declared for the overloads that take one. Members are left out. */
public interface ItemGroup<T extends Item> {
}
