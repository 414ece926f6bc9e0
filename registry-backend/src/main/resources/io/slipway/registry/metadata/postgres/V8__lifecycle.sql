-- PostgreSQL twin of ../V8__lifecycle.sql. Storage lifecycle (issue 20): immutable tags, quotas, pull traffic, trash, retention, and the
-- lease that lets one node at a time collect garbage. Every rule and entry belongs to an account.

-- A tag matching one of these globs in the scope (a namespace, or namespace/repository) never moves
-- and is never deleted once set.
CREATE TABLE immutable_tag_rules (
    account_id BIGINT NOT NULL,
    scope      TEXT COLLATE "C" NOT NULL,
    glob       TEXT COLLATE "C" NOT NULL,
    created_by TEXT COLLATE "C" NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, scope, glob)
);

-- The first digest an immutable tag was pushed with: two nodes racing to set the same immutable tag
-- to different images agree through this row (its primary key), and the second is refused.
CREATE TABLE immutable_tag_claims (
    repository TEXT COLLATE "C" NOT NULL,
    tag        TEXT COLLATE "C" NOT NULL,
    digest     TEXT COLLATE "C" NOT NULL,
    claimed_at BIGINT NOT NULL,
    PRIMARY KEY (repository, tag)
);

-- Per account; NULL is no limit.
CREATE TABLE quotas (
    account_id    BIGINT PRIMARY KEY,
    storage_bytes BIGINT,
    traffic_bytes BIGINT,
    updated_by    TEXT COLLATE "C" NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Bytes of blobs pulled per account and calendar month (UTC, "2026-12").
CREATE TABLE pull_traffic (
    account_id BIGINT NOT NULL,
    month      TEXT COLLATE "C" NOT NULL,
    bytes      BIGINT NOT NULL,
    PRIMARY KEY (account_id, month)
);

-- Images removed with image-rm or by retention: the manifest bytes stay in the blob store (GC
-- keeps what the trash reaches: the manifest and refs, the digests it references) and its tags are
-- remembered for a restore.
CREATE TABLE trash (
    account_id BIGINT NOT NULL,
    repository TEXT COLLATE "C" NOT NULL,
    digest     TEXT COLLATE "C" NOT NULL,
    media_type TEXT COLLATE "C" NOT NULL,
    tags       TEXT COLLATE "C" NOT NULL,
    refs       TEXT COLLATE "C" NOT NULL,
    size       BIGINT NOT NULL,
    deleted_by TEXT COLLATE "C" NOT NULL,
    deleted_at BIGINT NOT NULL,
    PRIMARY KEY (repository, digest)
);
CREATE INDEX trash_by_account ON trash(account_id);

CREATE TABLE retention_policies (
    account_id      BIGINT NOT NULL,
    namespace       TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    images          BIGINT NOT NULL,
    retain_untagged BIGINT NOT NULL,
    updated_by      TEXT COLLATE "C" NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- Registry-wide jobs one node at a time runs (garbage collection): who holds it until when.
CREATE TABLE lifecycle_leases (
    name       TEXT COLLATE "C" PRIMARY KEY,
    holder     TEXT COLLATE "C" NOT NULL,
    expires_at BIGINT NOT NULL
);

-- Every digest the blob store holds, as garbage collection knows them: written (touched) before
-- an upload, mount or manifest push makes it reachable, so a sweep spares what was touched within
-- its grace period. Seeded with what is stored before this version.
CREATE TABLE blob_ledger (
    digest     TEXT COLLATE "C" PRIMARY KEY,
    size       BIGINT NOT NULL,
    touched_at BIGINT NOT NULL
);
INSERT INTO blob_ledger(digest, size, touched_at)
    SELECT digest, MAX(size), 0 FROM (
        SELECT digest, size FROM repository_blobs
        UNION ALL SELECT digest, size FROM manifests) known
    GROUP BY digest;
