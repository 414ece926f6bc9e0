package io.slipway.registry.config;

import java.net.URI;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * The hosts ({@code host[:port]}, as image references spell them) under which this registry's
 * images are pulled: its listen address, the host of its external URL, and any configured
 * {@code names}. An image reference whose host is not one of them names another registry's image,
 * which this registry can neither resolve nor vouch for.
 */
public final class RegistryNames {
    private final Set<String> names;

    public RegistryNames(Collection<String> names) {
        Set<String> normal = new LinkedHashSet<>();
        for (String n : names) {
            if (n != null && !n.isBlank()) {
                normal.add(n.trim().toLowerCase(Locale.ROOT));
            }
        }
        if (normal.isEmpty()) {
            throw new IllegalArgumentException("a registry needs at least one name");
        }
        this.names = Set.copyOf(normal);
    }

    /**
     * The names of a registry configured with {@code config} and bound to {@code port}: the listen
     * address (with 127.0.0.1 and localhost when it listens on every interface), the external URL's
     * host (with its port, or bare for the scheme's default port), and the configured names.
     */
    public static RegistryNames of(RegistryConfig config, int port) {
        Set<String> all = new LinkedHashSet<>();
        String host = config.host();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            all.add("127.0.0.1:" + port);
            all.add("localhost:" + port);
        } else {
            all.add((host.contains(":") ? "[" + host + "]" : host) + ":" + port);
        }
        RegistryConfig.Naming naming = config.naming();
        if (naming.externalUrl() != null) {
            URI u = URI.create(naming.externalUrl());
            all.add(u.getPort() < 0 ? u.getHost() : u.getHost() + ":" + u.getPort());
        }
        all.addAll(naming.names());
        return new RegistryNames(all);
    }

    /** True when {@code host} ({@code host[:port]}) is one of this registry's names. */
    public boolean isOwn(String host) {
        return host != null && names.contains(host.toLowerCase(Locale.ROOT));
    }

    public Set<String> names() {
        return names;
    }

    @Override
    public String toString() {
        return String.join(", ", names.stream().sorted().toList());
    }
}
