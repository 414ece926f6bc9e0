-- Signatures kept through the signature extension API (containers/image "atomic" signatures), per
-- manifest of a repository, in the order they were added.
CREATE TABLE signatures (
    repository_id   INTEGER NOT NULL REFERENCES repositories(id),
    manifest_digest TEXT NOT NULL,
    position        INTEGER NOT NULL,
    name            TEXT NOT NULL,
    type            TEXT NOT NULL,
    content         BLOB NOT NULL,
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (repository_id, manifest_digest, position)
);
