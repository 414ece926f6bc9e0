-- PostgreSQL twin of ../V10__console_sessions.sql: Registry Console sign-ins every node knows.
CREATE TABLE console_sessions (
    id_hash       TEXT COLLATE "C" PRIMARY KEY,
    principal_id  BIGINT NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    key_id        BIGINT NOT NULL,
    csrf          TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions(expires_at);
