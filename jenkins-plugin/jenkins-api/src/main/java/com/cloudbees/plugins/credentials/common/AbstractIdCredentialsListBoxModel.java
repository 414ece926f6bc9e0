package com.cloudbees.plugins.credentials.common;

import hudson.model.Item;
import hudson.model.ItemGroup;
import hudson.util.ListBoxModel;

/**
 * A drop-down of credentials IDs. Both overloads of include(context, type) are declared, so that
 * javac binds as against the real class; the other members are left out. Listing credentials needs
 * a running Jenkins: here include adds nothing.
 */
public abstract class AbstractIdCredentialsListBoxModel<T extends AbstractIdCredentialsListBoxModel<T, C>,
        C extends IdCredentials> extends ListBoxModel {

    protected abstract String describe(C c);

    public AbstractIdCredentialsListBoxModel<T, C> includeEmptyValue() {
        for (Option o : this) {
            if ("".equals(o.value)) {
                return this;
            }
        }
        add(0, new Option("- none -", ""));
        return this;
    }

    public AbstractIdCredentialsListBoxModel<T, C> include(Item context, Class<? extends C> type) {
        return this;
    }

    @SuppressWarnings("rawtypes")
    public AbstractIdCredentialsListBoxModel<T, C> include(ItemGroup context, Class<? extends C> type) {
        return this;
    }

    public AbstractIdCredentialsListBoxModel<T, C> includeCurrentValue(String value) {
        if (value == null || value.isEmpty()) {
            return includeEmptyValue();
        }
        for (Option o : this) {
            if (value.equals(o.value)) {
                return this;
            }
        }
        int index = isEmpty() ? 0 : "".equals(get(0).value) ? 1 : 0;
        add(index, new Option("- current -", value));
        return this;
    }
}
