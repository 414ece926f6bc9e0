-- PostgreSQL twin of ../V3__signatures.sql: signatures of the signature extension API, per manifest
-- of a repository, in the order they were added.
CREATE TABLE signatures (
    repository_id   BIGINT NOT NULL REFERENCES repositories(id),
    manifest_digest TEXT COLLATE "C" NOT NULL,
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    content         BYTEA NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (repository_id, manifest_digest, position)
);
