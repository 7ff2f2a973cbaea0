-- name: init
-- Append-only, hash-chained log of every alert state change (全程留痕). Rows are never updated or deleted;
-- `hash` chains each row to the one before it (see audit.ts for the canonical serialisation).
CREATE TABLE IF NOT EXISTS audit_log (
  seq        BIGINT PRIMARY KEY,
  "at"       TIMESTAMPTZ NOT NULL,
  actor      VARCHAR NOT NULL,
  alert_id   VARCHAR,
  action     VARCHAR NOT NULL,
  from_state VARCHAR,
  to_state   VARCHAR,
  channel    VARCHAR,
  note       VARCHAR,
  prev_hash  VARCHAR NOT NULL,
  hash       VARCHAR NOT NULL
);

-- name: head
SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1;

-- name: page
-- Rows after a sequence number, in chain order; `at_us` is the exact stored instant (microseconds).
SELECT seq, epoch_us("at") AS at_us, actor, alert_id, action, from_state, to_state, channel, note, prev_hash, hash
FROM audit_log
WHERE seq > $after
ORDER BY seq
LIMIT $limit;

-- name: trail
SELECT seq, epoch_us("at") AS at_us, actor, alert_id, action, from_state, to_state, channel, note, prev_hash, hash
FROM audit_log
WHERE alert_id = $alert_id
ORDER BY seq;
