-- PostgreSQL twin of ../V1__registry.sql: the same tables and columns. Times are epoch
-- milliseconds (BIGINT). Names and digests compare byte-wise (COLLATE "C") so that ordering and
-- paging are the lexical order the distribution specification asks for, whatever the server's locale.
CREATE TABLE repositories (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT COLLATE "C" NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE repository_blobs (
    repository_id BIGINT NOT NULL REFERENCES repositories(id),
    digest        TEXT COLLATE "C" NOT NULL,
    size          BIGINT NOT NULL,
    PRIMARY KEY (repository_id, digest)
);
-- A mount without a source looks a digest up across a namespace's repositories.
CREATE INDEX repository_blobs_by_digest ON repository_blobs(digest);

CREATE TABLE manifests (
    repository_id BIGINT NOT NULL REFERENCES repositories(id),
    digest        TEXT COLLATE "C" NOT NULL,
    media_type    TEXT NOT NULL,
    size          BIGINT NOT NULL,
    config_digest TEXT,
    artifact_type TEXT,
    subject       TEXT COLLATE "C",
    annotations   TEXT,
    total_size    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    pushed_at     BIGINT NOT NULL,
    PRIMARY KEY (repository_id, digest)
);
CREATE INDEX manifests_by_subject ON manifests(repository_id, subject) WHERE subject IS NOT NULL;

CREATE TABLE manifest_references (
    repository_id   BIGINT NOT NULL,
    manifest_digest TEXT COLLATE "C" NOT NULL,
    position        INTEGER NOT NULL,
    digest          TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repository_id, manifest_digest, position)
);

CREATE TABLE tags (
    repository_id BIGINT NOT NULL REFERENCES repositories(id),
    name          TEXT COLLATE "C" NOT NULL,
    digest        TEXT COLLATE "C" NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (repository_id, name)
);
CREATE INDEX tags_by_digest ON tags(repository_id, digest);

CREATE TABLE uploads (
    id         TEXT PRIMARY KEY,
    repository TEXT NOT NULL,
    started_at BIGINT NOT NULL
);
CREATE INDEX uploads_by_start ON uploads(started_at);
