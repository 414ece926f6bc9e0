-- Garbage collection (issue 20): its report tells manifests from blobs, and it finds the digests
-- stored before V8 that the ledger was not seeded with.

-- 1 when the digest was stored as a manifest's own bytes (a manifest push), else 0.
ALTER TABLE blob_ledger ADD COLUMN manifest INTEGER NOT NULL DEFAULT 0;
UPDATE blob_ledger SET manifest = 1
    WHERE digest IN (SELECT digest FROM manifests) OR digest IN (SELECT digest FROM trash);

-- Walks of the blob store that entered the digests the ledger did not know (orphans of before V8,
-- or bytes put there by hand): one completed walk is enough, since every write since V8 is touched
-- into the ledger before its bytes are placed.
CREATE TABLE gc_store_walks (
    walked_at BIGINT NOT NULL,
    node      TEXT COLLATE "C" NOT NULL,
    stored    BIGINT NOT NULL,
    found     BIGINT NOT NULL
);

-- A sweep asks, per digest, whether any manifest is it or references it, and unlinks it from every
-- repository: without these, each question scans the whole table.
CREATE INDEX manifests_by_digest ON manifests(digest);
CREATE INDEX manifest_references_by_digest ON manifest_references(digest);
CREATE INDEX IF NOT EXISTS repository_blobs_by_digest ON repository_blobs(digest);
