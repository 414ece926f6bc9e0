-- The console's images page (issue 22) for accounts of 10,000+ images: each sort it offers walks an
-- index in order and stops after the page, instead of sorting every image of the account.
-- created and size break ties by (repository_id, digest), the rest of the index, so no sort is needed;
-- the repository and namespace sorts walk repositories by name (their UNIQUE index) and each one's
-- manifests by primary key (repository_id, digest).
CREATE INDEX manifests_by_created ON manifests(created_at, repository_id, digest);
CREATE INDEX manifests_by_size ON manifests(total_size, repository_id, digest);
-- "Is this manifest an image of its own" looks at its tags' names (cosign's attachment tags are not
-- an image's): with the name in the index that look-up reads the index only. It replaces
-- tags_by_digest, whose every use this index serves (same leading columns).
CREATE INDEX tags_by_digest_name ON tags(repository_id, digest, name);
DROP INDEX tags_by_digest;
