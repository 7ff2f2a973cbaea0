-- name: init
CREATE TABLE IF NOT EXISTS inbox_batches (
  name         VARCHAR PRIMARY KEY,
  path         VARCHAR NOT NULL,
  started_at   TIMESTAMPTZ NOT NULL,
  finished_at  TIMESTAMPTZ,
  alerts       INTEGER,
  error        VARCHAR
);

-- name: done
SELECT name FROM inbox_batches WHERE finished_at IS NOT NULL ORDER BY name;

-- name: start
INSERT OR REPLACE INTO inbox_batches (name, path, started_at) VALUES ($name, $path, $at::TIMESTAMPTZ);

-- name: finish
UPDATE inbox_batches SET finished_at = $at::TIMESTAMPTZ, alerts = $alerts, error = NULL WHERE name = $name;

-- name: fail
UPDATE inbox_batches SET error = $error WHERE name = $name;
