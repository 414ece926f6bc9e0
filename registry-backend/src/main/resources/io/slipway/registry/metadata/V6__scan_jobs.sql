-- Scan jobs: one row per manifest digest waiting for (or held by) a scanner. A job is taken by
-- setting a lease (owner node and expiry); a node that dies leaves an expired lease, and the job
-- is taken again. The same table serves one node (SQLite) and many (PostgreSQL, taken with
-- FOR UPDATE SKIP LOCKED). scan_runs records every scan that ran: which node, when, the outcome.
CREATE TABLE scan_jobs (
    digest       TEXT PRIMARY KEY,
    enqueued_at  INTEGER NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    leased_by    TEXT,
    lease_until  INTEGER
);
CREATE INDEX scan_jobs_by_age ON scan_jobs(enqueued_at);

CREATE TABLE scan_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    digest       TEXT NOT NULL,
    node         TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER NOT NULL,
    outcome      TEXT NOT NULL
);
CREATE INDEX scan_runs_by_digest ON scan_runs(digest);

-- The advisory database the nodes share: each import published by one node as a blob (a SQLite
-- snapshot) in the blob store; the newest row is what every node loads.
CREATE TABLE advisory_databases (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    version       TEXT NOT NULL,
    digest        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    imported_at   TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  INTEGER NOT NULL
);
