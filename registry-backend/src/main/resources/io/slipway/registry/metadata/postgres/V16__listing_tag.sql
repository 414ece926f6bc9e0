-- PostgreSQL twin of ../V16__listing_tag.sql. The console's images page (issue 22) sorted by first tag, and every listing's "is this manifest an
-- image of its own", for accounts of 10,000+ images: both were correlated subqueries over the tags of
-- every manifest (the sort computed each image's lowest tag, then sorted them all). The answer is now a
-- column of the manifest, kept by SqlMetadataStore in the transaction of every tag or manifest write
-- (LISTING_TAG there is the same expression as below):
--   the lowest tag other than cosign's attachment tags (sha256-<hex>.sig|.att|.sbom);
--   '' for an untagged manifest that refers to nothing (an untagged image of its own);
--   NULL for the rest (signatures, attestations and other referrers: attachments, not images).
-- The sort by first tag then walks manifests_by_tag in order and stops after the page; ties are broken
-- by repository id then digest, the rest of the index.
ALTER TABLE manifests ADD COLUMN listing_tag TEXT COLLATE "C";
UPDATE manifests AS m SET listing_tag = COALESCE((SELECT MIN(t.name) FROM tags t WHERE t.repository_id = m.repository_id
    AND t.digest = m.digest AND NOT (length(t.name) IN (75, 76) AND (t.name LIKE 'sha256-%.sig'
    OR t.name LIKE 'sha256-%.att' OR t.name LIKE 'sha256-%.sbom'))), CASE WHEN m.subject IS NULL AND NOT EXISTS
    (SELECT 1 FROM tags t WHERE t.repository_id = m.repository_id AND t.digest = m.digest) THEN '' END);
CREATE INDEX manifests_by_tag ON manifests(listing_tag, repository_id, digest);
