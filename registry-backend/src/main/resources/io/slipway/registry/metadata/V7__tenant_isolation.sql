-- Tenant isolation (issue 17).
-- Image policies and signer keys belong to an account; account 0 is the cluster scope
-- (ClusterImagePolicy documents and registry-wide keys, administrator only). Rows written before
-- this version go to the account of the principal that wrote them (updated_by is
-- "kind:account/name"), else to the first account; ClusterImagePolicies and keys without a
-- namespace were registry-wide and stay so.
CREATE TABLE image_policies_v7 (
    account_id INTEGER NOT NULL,
    kind       TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    document   TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, kind, namespace, name)
);
INSERT INTO image_policies_v7(account_id, kind, namespace, name, document, updated_by, updated_at)
    SELECT CASE WHEN p.kind = 'CLUSTER_IMAGE_POLICY' THEN 0 ELSE COALESCE(
               (SELECT MIN(a.id) FROM accounts a WHERE instr(p.updated_by, ':' || a.name || '/') > 0),
               (SELECT MIN(a.id) FROM accounts a), 0) END,
           p.kind, p.namespace, p.name, p.document, p.updated_by, p.updated_at
    FROM image_policies p;
DROP TABLE image_policies;
ALTER TABLE image_policies_v7 RENAME TO image_policies;

CREATE TABLE signer_keys_v7 (
    account_id INTEGER NOT NULL,
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    public_key TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, namespace, name)
);
INSERT INTO signer_keys_v7(account_id, namespace, name, public_key, updated_by, updated_at)
    SELECT CASE WHEN k.namespace = '' THEN 0 ELSE COALESCE(
               (SELECT MIN(a.id) FROM accounts a WHERE instr(k.updated_by, ':' || a.name || '/') > 0),
               (SELECT MIN(a.id) FROM accounts a), 0) END,
           k.namespace, k.name, k.public_key, k.updated_by, k.updated_at
    FROM signer_keys k;
DROP TABLE signer_keys;
ALTER TABLE signer_keys_v7 RENAME TO signer_keys;

-- API key ids are never reused (AUTOINCREMENT), so the audit log's "key 7" is one key forever.
CREATE TABLE api_keys_v7 (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    principal_id INTEGER NOT NULL REFERENCES principals(id) ON DELETE CASCADE,
    lookup       TEXT NOT NULL UNIQUE,
    hash         TEXT NOT NULL,
    description  TEXT,
    created_at   INTEGER NOT NULL
);
INSERT INTO api_keys_v7(id, principal_id, lookup, hash, description, created_at)
    SELECT id, principal_id, lookup, hash, description, created_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_v7 RENAME TO api_keys;

-- Registry tokens issued to a principal before this time (epoch ms) are no longer accepted:
-- raised when one of its keys or roles is removed, so revocation takes effect at once.
ALTER TABLE principals ADD COLUMN tokens_after INTEGER NOT NULL DEFAULT 0;
UPDATE principals SET tokens_after = created_at;

-- Who opened an upload, so that open uploads are capped per principal as well as per repository.
ALTER TABLE uploads ADD COLUMN owner TEXT;
CREATE INDEX uploads_by_owner ON uploads(owner);
CREATE INDEX uploads_by_repository ON uploads(repository);
