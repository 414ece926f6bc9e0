-- PostgreSQL twin of ../V5__enforcement.sql: ImagePolicy documents (per namespace),
-- ClusterImagePolicy documents (registry-wide, namespace empty) and the signer keys policies name,
-- shared by every node so that every node admits and refuses the same images.
CREATE TABLE image_policies (
    kind       TEXT COLLATE "C" NOT NULL,
    namespace  TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    document   TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, namespace, name)
);

CREATE TABLE signer_keys (
    namespace  TEXT COLLATE "C" NOT NULL,
    name       TEXT COLLATE "C" NOT NULL,
    public_key TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (namespace, name)
);
