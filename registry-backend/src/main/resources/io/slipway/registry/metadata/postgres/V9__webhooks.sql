-- PostgreSQL twin of ../V9__webhooks.sql. Webhooks (issue 21): subscriptions of a namespace (or, for the administrator, of the audit log)
-- and the outbox their events are delivered from. An event's outbox rows are written in the
-- transaction that records the event, so a delivery survives a restart; a node claims a row with a
-- lease, so several nodes deliver each row once at a time, and a dead node's claims expire.
CREATE TABLE webhooks (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT NOT NULL,
    namespace   TEXT,              -- null: the administrator's audit-log subscription
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,     -- comma-separated event names
    secret      TEXT NOT NULL,     -- the HMAC key: kept as given, it must sign every delivery
    created_by  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX webhooks_by_namespace ON webhooks(namespace);

CREATE TABLE webhook_deliveries (
    id              BIGSERIAL PRIMARY KEY,
    webhook_id      BIGINT NOT NULL,
    event_id        TEXT NOT NULL,
    event_type      TEXT NOT NULL,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL,  -- pending, delivered, dead
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    leased_by       TEXT,
    lease_until     BIGINT,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      BIGINT NOT NULL,
    delivered_at    BIGINT
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(state, next_attempt_at);
CREATE INDEX webhook_deliveries_by_webhook ON webhook_deliveries(webhook_id, id);

-- The request an audit entry was made by (X-Request-Id).
ALTER TABLE audit_log ADD COLUMN request_id TEXT;
