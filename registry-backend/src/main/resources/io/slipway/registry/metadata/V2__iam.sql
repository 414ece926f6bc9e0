-- Tenancy and IAM: accounts own namespaces; users and service IDs belong to an account; policies
-- grant them a role on the account, a namespace or a repository. Token signing keys and the audit
-- log live here too, so that every node of a registry shares them.
CREATE TABLE accounts (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL
);

CREATE TABLE principals (
    id            INTEGER PRIMARY KEY,
    account_id    INTEGER NOT NULL REFERENCES accounts(id),
    kind          TEXT NOT NULL CHECK (kind IN ('user', 'service')),
    name          TEXT NOT NULL,
    password_hash TEXT,
    admin         INTEGER NOT NULL DEFAULT 0,
    created_at    INTEGER NOT NULL
);
-- A user signs in by name, so user names are unique in the registry; service IDs only per account.
CREATE UNIQUE INDEX users_by_name ON principals(name) WHERE kind = 'user';
CREATE UNIQUE INDEX services_by_name ON principals(account_id, name) WHERE kind = 'service';

CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY,
    principal_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    lookup       TEXT NOT NULL UNIQUE,
    hash         TEXT NOT NULL,
    description  TEXT,
    created_at   INTEGER NOT NULL
);

CREATE TABLE namespaces (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    account_id INTEGER NOT NULL REFERENCES accounts(id),
    public     INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);

CREATE TABLE policies (
    id           INTEGER PRIMARY KEY,
    account_id   INTEGER NOT NULL REFERENCES accounts(id),
    principal_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    role         TEXT NOT NULL CHECK (role IN ('Reader', 'Writer', 'Manager')),
    namespace    TEXT,
    repository   TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX policies_by_principal ON policies(principal_id);

CREATE TABLE signing_keys (
    kid         TEXT PRIMARY KEY,
    private_key BLOB NOT NULL,
    public_key  BLOB NOT NULL,
    created_at  INTEGER NOT NULL
);

CREATE TABLE audit_log (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    actor   TEXT NOT NULL,
    action  TEXT NOT NULL,
    target  TEXT,
    remote  TEXT,
    outcome TEXT NOT NULL
);
