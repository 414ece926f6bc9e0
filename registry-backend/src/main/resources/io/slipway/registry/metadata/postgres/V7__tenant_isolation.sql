-- PostgreSQL twin of ../V7__tenant_isolation.sql: image policies and signer keys belong to an
-- account (0: the cluster scope); tokens issued before principals.tokens_after are revoked.
-- API key ids come from a sequence here and were never reused.
ALTER TABLE image_policies ADD COLUMN account_id BIGINT NOT NULL DEFAULT 0;
UPDATE image_policies p SET account_id = COALESCE(
        (SELECT MIN(a.id) FROM accounts a WHERE strpos(p.updated_by, ':' || a.name || '/') > 0),
        (SELECT MIN(a.id) FROM accounts a), 0)
    WHERE p.kind <> 'CLUSTER_IMAGE_POLICY';
ALTER TABLE image_policies DROP CONSTRAINT image_policies_pkey;
ALTER TABLE image_policies ADD PRIMARY KEY (account_id, kind, namespace, name);

ALTER TABLE signer_keys ADD COLUMN account_id BIGINT NOT NULL DEFAULT 0;
UPDATE signer_keys k SET account_id = COALESCE(
        (SELECT MIN(a.id) FROM accounts a WHERE strpos(k.updated_by, ':' || a.name || '/') > 0),
        (SELECT MIN(a.id) FROM accounts a), 0)
    WHERE k.namespace <> '';
ALTER TABLE signer_keys DROP CONSTRAINT signer_keys_pkey;
ALTER TABLE signer_keys ADD PRIMARY KEY (account_id, namespace, name);

ALTER TABLE principals ADD COLUMN tokens_after BIGINT NOT NULL DEFAULT 0;
UPDATE principals SET tokens_after = created_at;

-- Who opened an upload, so that open uploads are capped per principal as well as per repository.
ALTER TABLE uploads ADD COLUMN owner TEXT;
CREATE INDEX uploads_by_owner ON uploads(owner);
CREATE INDEX uploads_by_repository ON uploads(repository);
