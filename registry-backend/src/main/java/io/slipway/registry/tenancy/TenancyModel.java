package io.slipway.registry.tenancy;

import java.time.Instant;

/** The records of tenancy and IAM, as stored. */
public final class TenancyModel {
    private TenancyModel() {
    }

    public record Account(long id, String name, Instant created) {
    }

    public record Namespace(String name, long accountId, String account, boolean isPublic, Instant created) {
    }

    /** A user or a service ID. {@code admin} marks the registry administrator. */
    public record Principal(long id, long accountId, String account, Kind kind, String name, boolean admin,
            String passwordHash) {

        /** How the principal is written in tokens and the audit log: {@code user:alice}, {@code service:ci}. */
        public String subject() {
            return kind.label + ":" + account + "/" + name;
        }

        /** Never the password hash: it can be attacked offline from a log. */
        @Override
        public String toString() {
            return "Principal[id=" + id + ", accountId=" + accountId + ", subject=" + subject() + ", admin=" + admin
                    + ", password=" + (passwordHash == null ? "none" : "***") + "]";
        }
    }

    public enum Kind {
        USER("user"), SERVICE("service");

        public final String label;

        Kind(String label) {
            this.label = label;
        }

        public static Kind of(String label) {
            return "service".equals(label) ? SERVICE : USER;
        }
    }

    public record ApiKey(long id, long principalId, String lookup, String hash, String description, Instant created) {
        /** Neither the lookup nor the hash: together they are what a key is checked against. */
        @Override
        public String toString() {
            return "ApiKey[id=" + id + ", principalId=" + principalId + ", description=" + description + ", created="
                    + created + "]";
        }
    }

    /** A grant of {@code role} on the account (namespace null), a namespace, or one repository in it. */
    public record Policy(long id, long accountId, long principalId, String principal, Kind kind, Role role,
            String namespace, String repository, Instant created) {
    }

    public record AuditEntry(long id, Instant at, String actor, String action, String target, String remote,
            String outcome, String requestId) {
    }
}
