-- PostgreSQL twin of ../V4__scans.sql: one scan result per manifest digest (shared by every
-- repository and every node), and the exemptions of each account.
CREATE TABLE scans (
    digest      TEXT COLLATE "C" PRIMARY KEY,
    state       TEXT NOT NULL,
    result      TEXT,
    db_version  TEXT,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE exemptions (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL REFERENCES accounts(id),
    scope       TEXT NOT NULL,
    issue_type  TEXT NOT NULL,
    issue_id    TEXT NOT NULL,
    reason      TEXT,
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX exemptions_by_account ON exemptions(account_id);
