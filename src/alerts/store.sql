-- name: init
-- The alert store: one row per alert id, updated by every run that sees the alert again, carrying the
-- analyst workflow state (workflow.ts). `evidence_atoms` is what the evidence is about (evidenceAtoms in
-- store.ts); `dismissed_atoms` keeps those atoms as they were when the alert was dismissed.
CREATE TABLE IF NOT EXISTS alerts (
  id                    VARCHAR PRIMARY KEY,
  kind                  VARCHAR NOT NULL CHECK (kind IN ('ring', 'pair', 'tender', 'firm')),
  firms                 VARCHAR[] NOT NULL,
  tenders               VARCHAR[] NOT NULL,
  score                 DOUBLE NOT NULL,
  amount                DOUBLE NOT NULL,
  channels              VARCHAR[] NOT NULL,
  evidence              JSON NOT NULL,
  summary_zh            VARCHAR NOT NULL,
  summary_en            VARCHAR NOT NULL,
  rank                  INTEGER,
  first_seen            TIMESTAMPTZ NOT NULL,
  last_seen             TIMESTAMPTZ NOT NULL,
  status                VARCHAR NOT NULL
    CHECK (status IN ('new', 'in_review', 'referred', 'result_received', 'closed')),
  verdict               VARCHAR CHECK (verdict IN ('confirmed', 'dismissed')),
  suppressed            BOOLEAN NOT NULL DEFAULT false,
  assignee              VARCHAR,
  referred_channel      VARCHAR,
  referred_at           TIMESTAMPTZ,
  accepted_at           TIMESTAMPTZ,
  result_at             TIMESTAMPTZ,
  closed_at             TIMESTAMPTZ,
  evidence_fingerprint  VARCHAR NOT NULL,
  evidence_atoms        VARCHAR[] NOT NULL,
  dismissed_fingerprint VARCHAR,
  dismissed_atoms       VARCHAR[],
  updated_at            TIMESTAMPTZ NOT NULL
);
-- Why each channel is proposed (routing.ts); added after the first release, hence ALTER.
ALTER TABLE alerts ADD COLUMN IF NOT EXISTS routing JSON;

-- 重点关注对象: firms and people of confirmed alerts. One row per subject and alert.
CREATE TABLE IF NOT EXISTS watchlist (
  subject_type VARCHAR NOT NULL CHECK (subject_type IN ('firm', 'person')),
  subject_id   VARCHAR NOT NULL,
  alert_id     VARCHAR NOT NULL,
  reason       VARCHAR NOT NULL,
  added_at     TIMESTAMPTZ NOT NULL,
  added_by     VARCHAR NOT NULL,
  PRIMARY KEY (subject_type, subject_id, alert_id)
);

-- name: existing_ids
SELECT id FROM alerts WHERE id IN (SELECT unnest($ids::JSON::VARCHAR[])) ORDER BY id;

-- name: match_candidates
-- Alerts an incoming ring/pair may continue: same kinds, not closed as confirmed, not re-detected exactly.
SELECT id, kind, firms
FROM alerts
WHERE list_contains($kinds::JSON::VARCHAR[], kind)
  AND NOT (status = 'closed' AND verdict = 'confirmed')
  AND id NOT IN (SELECT unnest($ids::JSON::VARCHAR[]))
ORDER BY id;

-- name: states
SELECT id, status, verdict, suppressed, firms, dismissed_atoms
FROM alerts WHERE id IN (SELECT unnest($ids::JSON::VARCHAR[])) ORDER BY id;

-- name: stage_incoming
-- A run's alerts, prepared in store.ts (final id, atoms, fingerprint), are written in rounds: per alert,
-- whether it is inserted or updated and one JSON object are appended to bw_incoming_json (the appender
-- stores the text as it is); insert_incoming and update_incoming parse and write them (each object parsed
-- once, by the statement that writes it) and clear_incoming empties the stage for the next round.
CREATE OR REPLACE TEMP TABLE bw_incoming_json (op VARCHAR, row JSON);
CREATE OR REPLACE TEMP MACRO bw_incoming(which) AS TABLE
SELECT unnest(json_transform(row, '{"id": "VARCHAR", "kind": "VARCHAR", "firms": ["VARCHAR"],
  "tenders": ["VARCHAR"], "score": "DOUBLE", "amount": "DOUBLE", "channels": ["VARCHAR"], "evidence": "JSON",
  "routing": "JSON", "summary_zh": "VARCHAR", "summary_en": "VARCHAR", "rank": "INTEGER", "fingerprint": "VARCHAR",
  "atoms": ["VARCHAR"]}'))
FROM bw_incoming_json WHERE op = which;

-- name: insert_incoming
INSERT INTO alerts (id, kind, firms, tenders, score, amount, channels, evidence, routing, summary_zh, summary_en,
                    rank, first_seen, last_seen, status, evidence_fingerprint, evidence_atoms, updated_at)
SELECT id, kind, firms, tenders, score, amount, channels, evidence, routing, summary_zh, summary_en, rank,
       $now::TIMESTAMPTZ, $now::TIMESTAMPTZ, 'new', fingerprint, atoms, $now::TIMESTAMPTZ
FROM bw_incoming('insert') ORDER BY rank, id;

-- name: update_incoming
-- Re-detected alerts: what was found is refreshed, the workflow state is kept.
UPDATE alerts SET
  kind = i.kind, firms = i.firms, tenders = i.tenders, score = i.score, amount = i.amount,
  channels = i.channels, evidence = i.evidence, routing = i.routing, summary_zh = i.summary_zh, summary_en = i.summary_en,
  rank = i.rank, last_seen = $now::TIMESTAMPTZ, evidence_fingerprint = i.fingerprint,
  evidence_atoms = i.atoms, updated_at = $now::TIMESTAMPTZ
FROM bw_incoming('update') i
WHERE alerts.id = i.id;

-- name: clear_incoming
DELETE FROM bw_incoming_json;

-- name: drop_incoming
DROP MACRO TABLE IF EXISTS bw_incoming;
DROP TABLE IF EXISTS bw_incoming_json;

-- name: suppress
UPDATE alerts SET suppressed = true, updated_at = $now::TIMESTAMPTZ
WHERE id IN (SELECT unnest($ids::JSON::VARCHAR[]));

-- name: reopen
UPDATE alerts SET
  status = 'new', verdict = NULL, suppressed = false, assignee = NULL, referred_channel = NULL,
  referred_at = NULL, accepted_at = NULL, result_at = NULL, closed_at = NULL,
  dismissed_fingerprint = NULL, dismissed_atoms = NULL, updated_at = $now::TIMESTAMPTZ
WHERE id IN (SELECT unnest($ids::JSON::VARCHAR[]));

-- name: select_records
SELECT id, rank, score, kind, firms, tenders, amount, channels, evidence::VARCHAR AS evidence,
       coalesce(routing, '[]')::VARCHAR AS routing, summary_zh, summary_en, first_seen, last_seen, status, verdict, suppressed, assignee,
       referred_channel, referred_at, accepted_at, result_at, closed_at, evidence_fingerprint, updated_at
FROM alerts

-- name: watch_add
INSERT INTO watchlist (subject_type, subject_id, alert_id, reason, added_at, added_by)
VALUES ($subject_type, $subject_id, $alert_id, $reason, $now::TIMESTAMPTZ, $actor)
ON CONFLICT DO NOTHING;

-- name: watch_list
SELECT subject_type, subject_id, alert_id, reason, added_at, added_by
FROM watchlist ORDER BY subject_type, subject_id, alert_id;

-- name: watch_boost_counts
-- Per firm: confirmed alerts naming it, and watched people standing behind it (firm_people).
WITH direct AS (
  SELECT subject_id AS firm_id, count(DISTINCT alert_id) AS n_alerts
  FROM watchlist WHERE subject_type = 'firm' GROUP BY subject_id
), via_people AS (
  SELECT fp.firm_id, count(DISTINCT w.subject_id) AS n_people
  FROM watchlist w JOIN firm_people fp ON fp.person_id = w.subject_id
  WHERE w.subject_type = 'person' GROUP BY fp.firm_id
)
SELECT coalesce(d.firm_id, p.firm_id) AS firm_id,
       coalesce(d.n_alerts, 0)::INTEGER AS n_alerts,
       coalesce(p.n_people, 0)::INTEGER AS n_people
FROM direct d FULL OUTER JOIN via_people p ON d.firm_id = p.firm_id
ORDER BY firm_id;

-- name: wf_claim
UPDATE alerts SET status = 'in_review', assignee = $actor, updated_at = $now::TIMESTAMPTZ WHERE id = $id;

-- name: wf_touch
UPDATE alerts SET updated_at = $now::TIMESTAMPTZ WHERE id = $id;

-- name: wf_refer
UPDATE alerts SET status = 'referred', referred_channel = $channel, referred_at = $now::TIMESTAMPTZ,
  accepted_at = NULL, result_at = NULL, updated_at = $now::TIMESTAMPTZ
WHERE id = $id;

-- name: wf_accept
UPDATE alerts SET accepted_at = $now::TIMESTAMPTZ, updated_at = $now::TIMESTAMPTZ WHERE id = $id;

-- name: wf_feedback
UPDATE alerts SET status = 'result_received', result_at = $now::TIMESTAMPTZ, updated_at = $now::TIMESTAMPTZ
WHERE id = $id;

-- name: wf_close
-- Dismissal remembers what the evidence was about, so the same evidence does not raise the alert again.
UPDATE alerts SET status = 'closed', verdict = $verdict, closed_at = $now::TIMESTAMPTZ, suppressed = false,
  dismissed_fingerprint = CASE WHEN $verdict = 'dismissed' THEN evidence_fingerprint END,
  dismissed_atoms = CASE WHEN $verdict = 'dismissed' THEN evidence_atoms END,
  updated_at = $now::TIMESTAMPTZ
WHERE id = $id;
