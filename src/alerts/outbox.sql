-- name: init
-- One row per (alert, channel) to deliver; the alert's JSON is kept once per alert and enqueue call in
-- outbox_payload (an alert goes to up to four channels, and its payload is most of the row).
CREATE TABLE IF NOT EXISTS outbox_payload (
  payload_id BIGINT PRIMARY KEY,
  alert_id   VARCHAR NOT NULL,
  payload    VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS outbox (
  alert_id     VARCHAR NOT NULL,
  channel      VARCHAR NOT NULL,
  payload_id   BIGINT NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  delivered_at TIMESTAMPTZ,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   VARCHAR,
  PRIMARY KEY (alert_id, channel)
);

-- name: legacy_layout
-- Whether the outbox still has the layout of earlier versions (its own `payload` JSON column, one per row).
SELECT count(*)::INTEGER AS n FROM duckdb_columns()
WHERE database_name = current_database() AND schema_name = 'main' AND table_name = 'outbox'
  AND column_name = 'payload';

-- name: set_aside_legacy
ALTER TABLE outbox RENAME TO bw_outbox_legacy;

-- name: migrate_legacy
-- Moves an earlier version's outbox (set aside as bw_outbox_legacy, the current tables made by `init`) to
-- the current layout: each distinct (alert, payload text) becomes one outbox_payload row (the text is kept as
-- it was stored), every row keeps its keys, times, attempts and error. Runs inside one transaction.
CREATE TEMP TABLE bw_legacy_payload AS
SELECT row_number() OVER (ORDER BY alert_id, payload) + (SELECT coalesce(max(payload_id), 0) FROM outbox_payload)
         AS payload_id,
       alert_id, payload
FROM (SELECT DISTINCT alert_id, payload::VARCHAR AS payload FROM bw_outbox_legacy);
INSERT INTO outbox_payload (payload_id, alert_id, payload)
SELECT payload_id, alert_id, payload FROM bw_legacy_payload;
INSERT INTO outbox (alert_id, channel, payload_id, created_at, delivered_at, attempts, last_error)
SELECT o.alert_id, o.channel, p.payload_id, o.created_at, o.delivered_at, o.attempts, o.last_error
FROM bw_outbox_legacy o JOIN bw_legacy_payload p ON p.alert_id = o.alert_id AND p.payload = o.payload::VARCHAR;
DROP TABLE bw_legacy_payload;
DROP TABLE bw_outbox_legacy;

-- name: existing_keys
-- The (alert, channel) rows already in the outbox for the given alerts: `enqueueAlerts` appends only the others.
SELECT alert_id, channel FROM outbox WHERE alert_id IN (SELECT unnest($ids::JSON::VARCHAR[]));

-- name: last_payload_id
SELECT coalesce(max(payload_id), 0)::BIGINT AS last FROM outbox_payload;

-- name: pending
SELECT o.alert_id, o.channel, p.payload
FROM outbox o JOIN outbox_payload p ON p.payload_id = o.payload_id
WHERE o.delivered_at IS NULL ORDER BY o.created_at, o.alert_id, o.channel;

-- name: mark_delivered
UPDATE outbox SET delivered_at = $at::TIMESTAMPTZ, attempts = attempts + 1, last_error = NULL
WHERE alert_id = $alert_id AND channel = $channel;

-- name: mark_failed
UPDATE outbox SET attempts = attempts + 1, last_error = $error
WHERE delivered_at IS NULL;

-- name: counts
SELECT count(*) FILTER (WHERE delivered_at IS NULL)::INTEGER AS pending,
       count(*) FILTER (WHERE delivered_at IS NOT NULL)::INTEGER AS delivered
FROM outbox;
