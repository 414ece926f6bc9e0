-- Registry Console sign-ins (issue 22). A session is kept here rather than in one node's memory so
-- that every node behind a load balancer knows it and a sign-out ends it on all of them at once.
-- Only a SHA-256 of the cookie's secret is stored; the CSRF token is per session. key_id is the
-- API key the session was opened with (-1 for a password): removing that key ends the session.
CREATE TABLE console_sessions (
    id_hash       TEXT PRIMARY KEY,
    principal_id  INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    subject       TEXT NOT NULL,
    key_id        INTEGER NOT NULL,
    csrf          TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL
);
CREATE INDEX console_sessions_by_expiry ON console_sessions(expires_at);
