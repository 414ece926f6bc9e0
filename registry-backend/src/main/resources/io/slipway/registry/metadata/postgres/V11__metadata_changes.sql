-- One counter that every metadata change a node may have cached raises, in the same transaction
-- as the change: a tag moved or deleted, a manifest deleted, a blob link removed, repositories
-- deleted. Each node polls it and drops its read cache when it moved (CachingMetadataStore).
-- Additions (a new manifest, a new link, a new repository) do not raise it: the cache keeps only
-- what was found, never an absence.
CREATE TABLE metadata_changes (id INTEGER PRIMARY KEY, counter BIGINT NOT NULL);
INSERT INTO metadata_changes(id, counter) VALUES (1, 0);
