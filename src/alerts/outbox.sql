-- name: init
CREATE TABLE IF NOT EXISTS outbox (
  alert_id     VARCHAR NOT NULL,
  channel      VARCHAR NOT NULL,
  payload      JSON NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  delivered_at TIMESTAMPTZ,
  attempts     INTEGER NOT NULL DEFAULT 0,
  last_error   VARCHAR,
  PRIMARY KEY (alert_id, channel)
);

-- name: enqueue
INSERT INTO outbox (alert_id, channel, payload, created_at)
VALUES ($alert_id, $channel, $payload::JSON, $at::TIMESTAMPTZ)
ON CONFLICT DO NOTHING;

-- name: existing_keys
-- The (alert, channel) rows already in the outbox for the given alerts: `enqueueAlerts` appends only the others.
SELECT alert_id, channel FROM outbox WHERE alert_id IN (SELECT unnest($ids::JSON::VARCHAR[]));

-- name: pending
SELECT alert_id, channel, payload::VARCHAR AS payload FROM outbox
WHERE delivered_at IS NULL ORDER BY created_at, alert_id, channel;

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
