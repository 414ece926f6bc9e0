-- PostgreSQL twin of ../V6__scan_jobs.sql: the scan job table every node takes from.
CREATE TABLE scan_jobs (
    digest       TEXT COLLATE "C" PRIMARY KEY,
    enqueued_at  BIGINT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    leased_by    TEXT,
    lease_until  BIGINT
);
CREATE INDEX scan_jobs_by_age ON scan_jobs(enqueued_at);

CREATE TABLE scan_runs (
    id           BIGSERIAL PRIMARY KEY,
    digest       TEXT NOT NULL,
    node         TEXT NOT NULL,
    attempt      INTEGER NOT NULL,
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT NOT NULL,
    outcome      TEXT NOT NULL
);
CREATE INDEX scan_runs_by_digest ON scan_runs(digest);

CREATE TABLE advisory_databases (
    id            BIGSERIAL PRIMARY KEY,
    version       TEXT NOT NULL,
    digest        TEXT NOT NULL,
    size          BIGINT NOT NULL,
    imported_at   TEXT NOT NULL,
    published_by  TEXT NOT NULL,
    published_at  BIGINT NOT NULL
);
