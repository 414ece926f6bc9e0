-- PostgreSQL twin of ../V2__iam.sql: tenancy and IAM, token signing keys and the audit log, shared
-- by every node. Flags are BOOLEAN, key material BYTEA, times epoch milliseconds.
CREATE TABLE accounts (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE principals (
    id            BIGSERIAL PRIMARY KEY,
    account_id    BIGINT NOT NULL REFERENCES accounts(id),
    kind          TEXT NOT NULL CHECK (kind IN ('user', 'service')),
    name          TEXT COLLATE "C" NOT NULL,
    password_hash TEXT,
    admin         BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL
);
-- A user signs in by name, so user names are unique in the registry; service IDs only per account.
CREATE UNIQUE INDEX users_by_name ON principals(name) WHERE kind = 'user';
CREATE UNIQUE INDEX services_by_name ON principals(account_id, name) WHERE kind = 'service';

CREATE TABLE api_keys (
    id           BIGSERIAL PRIMARY KEY,
    principal_id BIGINT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    lookup       TEXT NOT NULL UNIQUE,
    hash         TEXT NOT NULL,
    description  TEXT,
    created_at   BIGINT NOT NULL
);

CREATE TABLE namespaces (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT COLLATE "C" NOT NULL UNIQUE,
    account_id BIGINT NOT NULL REFERENCES accounts(id),
    public     BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL
);

CREATE TABLE policies (
    id           BIGSERIAL PRIMARY KEY,
    account_id   BIGINT NOT NULL REFERENCES accounts(id),
    principal_id BIGINT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('Reader', 'Writer', 'Manager')),
    namespace    TEXT,
    repository   TEXT,
    created_at   BIGINT NOT NULL
);
CREATE INDEX policies_by_principal ON policies(principal_id);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    private_key BYTEA NOT NULL,
    public_key  BYTEA NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE audit_log (
    id      BIGSERIAL PRIMARY KEY,
    at      BIGINT NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    remote  TEXT,
    outcome TEXT NOT NULL
);
