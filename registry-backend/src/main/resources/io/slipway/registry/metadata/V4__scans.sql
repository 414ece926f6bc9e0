-- Vulnerability Advisor: one scan result per manifest digest (content-addressed, so shared by
-- every repository that holds it), and the exemptions of each account.
CREATE TABLE scans (
    digest      TEXT PRIMARY KEY,
    state       TEXT NOT NULL,
    result      TEXT,
    db_version  TEXT,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE exemptions (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id),
    scope       TEXT NOT NULL,
    issue_type  TEXT NOT NULL,
    issue_id    TEXT NOT NULL,
    reason      TEXT,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX exemptions_by_account ON exemptions(account_id);
