-- Image-security enforcement: ImagePolicy documents (per namespace) and ClusterImagePolicy
-- documents (registry-wide, namespace empty), and the signer keys policies name.
CREATE TABLE image_policies (
    kind       TEXT NOT NULL,
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    document   TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, namespace, name)
);

CREATE TABLE signer_keys (
    namespace  TEXT NOT NULL,
    name       TEXT NOT NULL,
    public_key TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (namespace, name)
);
