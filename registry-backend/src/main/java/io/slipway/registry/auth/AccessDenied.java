package io.slipway.registry.auth;

/**
 * A request without the access it needs. The HTTP layer answers 401 with {@code challenge} as the
 * {@code WWW-Authenticate} header, the same for a repository that does not exist and one the
 * caller may not see.
 */
public class AccessDenied extends RuntimeException {
    private final String challenge;
    private final String repository;
    private final String action;

    public AccessDenied(String challenge, String repository, String action) {
        super("authentication required");
        this.challenge = challenge;
        this.repository = repository;
        this.action = action;
    }

    public String challenge() {
        return challenge;
    }

    public String repository() {
        return repository;
    }

    public String action() {
        return action;
    }
}
