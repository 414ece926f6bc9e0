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
