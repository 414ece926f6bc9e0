-- Garbage collection's mark as one query over indexes (issue 20): a trash entry's references were
-- a JSON array in trash.refs, which the sweep could only search with a LIKE scan of every entry for
-- every digest. Each reference is now a row of its own, indexed by digest, written and removed with
-- its entry (the entry's own digest is found through trash_by_digest).
CREATE TABLE trash_references (
    repository   TEXT COLLATE "C" NOT NULL,
    trash_digest TEXT COLLATE "C" NOT NULL,
    digest       TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (repository, trash_digest, digest),
    FOREIGN KEY (repository, trash_digest) REFERENCES trash(repository, digest) ON DELETE CASCADE
);
INSERT INTO trash_references(repository, trash_digest, digest)
    SELECT DISTINCT t.repository, t.digest, r.value FROM trash t, jsonb_array_elements_text(t.refs::jsonb) r(value);
CREATE INDEX trash_references_by_digest ON trash_references(digest);
CREATE INDEX trash_by_digest ON trash(digest);
