-- name: init
-- Random inspection (双随机一公开): the roster of certified inspectors, plans with their frozen population,
-- drawn items and recorded results. Rows of a plan are written once, when it is drawn; later changes are
-- the reveal, results and publication, each with an audit_log row (store.ts).
CREATE TABLE IF NOT EXISTS inspect_rosters (
  roster_id  VARCHAR PRIMARY KEY,   -- roster_hash of the entries (commitment.ts)
  source     VARCHAR NOT NULL,
  n          INTEGER NOT NULL,
  loaded_at  TIMESTAMPTZ NOT NULL,
  loaded_by  VARCHAR NOT NULL
);

CREATE TABLE IF NOT EXISTS inspect_roster (
  roster_id     VARCHAR NOT NULL,
  name          VARCHAR NOT NULL,
  department    VARCHAR NOT NULL,
  certification VARCHAR NOT NULL,
  conflicts     VARCHAR[] NOT NULL,
  PRIMARY KEY (roster_id, name)
);

CREATE TABLE IF NOT EXISTS inspect_plans (
  plan_id      VARCHAR PRIMARY KEY,
  created_at   TIMESTAMPTZ NOT NULL,
  created_by   VARCHAR NOT NULL,
  period_from  DATE NOT NULL,
  period_to    DATE NOT NULL,
  params       JSON NOT NULL,
  params_hash  VARCHAR NOT NULL,
  commitment   VARCHAR NOT NULL,
  roster_id    VARCHAR NOT NULL,
  -- The secret until revealed: who can read this table can read it (docs/inspect.md §5).
  seed         VARCHAR NOT NULL,
  nonce        VARCHAR NOT NULL,
  revealed_at  TIMESTAMPTZ,
  revealed_by  VARCHAR,
  summary      JSON NOT NULL
);

CREATE TABLE IF NOT EXISTS inspect_plan_candidates (
  plan_id      VARCHAR NOT NULL,
  tender_id    VARCHAR NOT NULL,
  tender_date  DATE NOT NULL,
  tenderee_id  VARCHAR,
  agency_id    VARCHAR,
  bidders      VARCHAR[] NOT NULL,
  risk         DOUBLE NOT NULL,
  risk_source  VARCHAR NOT NULL,
  sanctioned   VARCHAR[] NOT NULL,
  watched      VARCHAR[] NOT NULL,
  weight       DOUBLE NOT NULL,
  probability  DOUBLE NOT NULL,
  selected     BOOLEAN NOT NULL,
  PRIMARY KEY (plan_id, tender_id)
);

CREATE TABLE IF NOT EXISTS inspect_plan_items (
  plan_id      VARCHAR NOT NULL,
  item_no      INTEGER NOT NULL,
  tender_id    VARCHAR NOT NULL,
  weight       DOUBLE NOT NULL,
  probability  DOUBLE NOT NULL,
  inspectors   VARCHAR[] NOT NULL,
  departments  VARCHAR[] NOT NULL,
  published_at TIMESTAMPTZ,
  PRIMARY KEY (plan_id, item_no)
);

CREATE TABLE IF NOT EXISTS inspect_results (
  plan_id      VARCHAR NOT NULL,
  item_no      INTEGER NOT NULL,
  result_no    INTEGER NOT NULL,
  inspector    VARCHAR NOT NULL,
  finding      VARCHAR NOT NULL,
  inspected_on DATE NOT NULL,
  recorded_at  TIMESTAMPTZ NOT NULL,
  recorded_by  VARCHAR NOT NULL,
  PRIMARY KEY (plan_id, item_no, result_no)
);

-- name: candidates
-- The period's tenders (Shanghai date of publication, else of the bid deadline, within $from..$to) with the
-- inputs of their weights: bidders; the largest score of alerts naming the tender that are not dismissed
-- or suppressed; bidders with a sanction in force at some time in the period on the firm or on a person
-- behind it (firm_people, legal representative, a project manager it bid with); bidders on the watch list
-- directly or through such a person.
WITH t AS (
  SELECT * FROM (
    SELECT tender_id, any_value(tenderee_id) AS tenderee_id, any_value(agency_id) AS agency_id,
           min(coalesce(published_at, bid_deadline))::DATE AS d
    FROM tenders
    GROUP BY tender_id
  ) WHERE d BETWEEN $from::DATE AND $to::DATE
), b AS (
  SELECT DISTINCT bi.tender_id, bi.firm_id FROM bids bi JOIN t ON t.tender_id = bi.tender_id
), people AS (
  SELECT firm_id, person_id FROM firm_people
  UNION SELECT firm_id, legal_rep_id FROM firms WHERE legal_rep_id IS NOT NULL
  UNION SELECT firm_id, project_manager_id FROM bids WHERE project_manager_id IS NOT NULL
), in_force AS (
  SELECT DISTINCT subject_type, subject_id FROM sanctions
  WHERE (start_date IS NULL OR start_date <= $to::DATE) AND (end_date IS NULL OR end_date >= $from::DATE)
), sanctioned AS (
  SELECT b.tender_id, b.firm_id FROM b
  JOIN in_force s ON s.subject_type = 'firm' AND s.subject_id = b.firm_id
  UNION
  SELECT b.tender_id, b.firm_id FROM b
  JOIN people p ON p.firm_id = b.firm_id
  JOIN in_force s ON s.subject_type = 'person' AND s.subject_id = p.person_id
), watched AS (
  SELECT b.tender_id, b.firm_id FROM b
  JOIN watchlist w ON w.subject_type = 'firm' AND w.subject_id = b.firm_id
  UNION
  SELECT b.tender_id, b.firm_id FROM b
  JOIN people p ON p.firm_id = b.firm_id
  JOIN watchlist w ON w.subject_type = 'person' AND w.subject_id = p.person_id
), risk AS (
  SELECT tender_id, max(score) AS score FROM (
    SELECT unnest(tenders) AS tender_id, score FROM alerts
    WHERE NOT suppressed AND verdict IS DISTINCT FROM 'dismissed'
  ) GROUP BY tender_id
), bl AS (SELECT tender_id, list(firm_id ORDER BY firm_id) AS l FROM b GROUP BY tender_id),
   sl AS (SELECT tender_id, list(firm_id ORDER BY firm_id) AS l FROM sanctioned GROUP BY tender_id),
   wl AS (SELECT tender_id, list(firm_id ORDER BY firm_id) AS l FROM watched GROUP BY tender_id)
SELECT t.tender_id, strftime(t.d, '%Y-%m-%d') AS date, t.tenderee_id, t.agency_id,
       coalesce(bl.l, []::VARCHAR[]) AS bidders,
       coalesce(sl.l, []::VARCHAR[]) AS sanctioned,
       coalesce(wl.l, []::VARCHAR[]) AS watched,
       r.score AS alert_score
FROM t
LEFT JOIN bl ON bl.tender_id = t.tender_id
LEFT JOIN sl ON sl.tender_id = t.tender_id
LEFT JOIN wl ON wl.tender_id = t.tender_id
LEFT JOIN risk r ON r.tender_id = t.tender_id
ORDER BY t.tender_id;

-- name: roster_header
INSERT INTO inspect_rosters (roster_id, source, n, loaded_at, loaded_by)
VALUES ($roster_id, $source, $n, $now::TIMESTAMPTZ, $actor)
ON CONFLICT (roster_id) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at,
  loaded_by = excluded.loaded_by;

-- name: roster_known
SELECT count(*)::INTEGER AS n FROM inspect_rosters WHERE roster_id = $roster_id;

-- name: roster_rows_insert
INSERT INTO inspect_roster (roster_id, name, department, certification, conflicts)
SELECT $roster_id, r.name, r.department, r.certification, r.conflicts
FROM (
  SELECT unnest(json_transform($rows::JSON, '[{"name": "VARCHAR", "department": "VARCHAR",
    "certification": "VARCHAR", "conflicts": ["VARCHAR"]}]'), recursive := true)
) r
ON CONFLICT DO NOTHING;

-- name: roster_latest
SELECT roster_id FROM inspect_rosters ORDER BY loaded_at DESC, roster_id LIMIT 1;

-- name: roster_rows
SELECT name, department, certification, conflicts FROM inspect_roster WHERE roster_id = $roster_id ORDER BY name;

-- name: plan_insert
INSERT INTO inspect_plans (plan_id, created_at, created_by, period_from, period_to, params, params_hash,
                           commitment, roster_id, seed, nonce, summary)
VALUES ($plan_id, $created_at::TIMESTAMPTZ, $created_by, $from::DATE, $to::DATE, $params::JSON, $params_hash,
        $commitment, $roster_id, $seed, $nonce, $summary::JSON);

-- name: candidates_insert
INSERT INTO inspect_plan_candidates (plan_id, tender_id, tender_date, tenderee_id, agency_id, bidders, risk,
                                     risk_source, sanctioned, watched, weight, probability, selected)
SELECT $plan_id, c.tender_id, c.date::DATE, c.tenderee_id, c.agency_id, c.bidders, c.risk, c.risk_source,
       c.sanctioned, c.watched, c.weight, c.probability, c.selected
FROM (
  SELECT unnest(json_transform($rows::JSON, '[{"tender_id": "VARCHAR", "date": "VARCHAR",
    "tenderee_id": "VARCHAR", "agency_id": "VARCHAR", "bidders": ["VARCHAR"], "risk": "DOUBLE",
    "risk_source": "VARCHAR", "sanctioned": ["VARCHAR"], "watched": ["VARCHAR"], "weight": "DOUBLE",
    "probability": "DOUBLE", "selected": "BOOLEAN"}]'), recursive := true)
) c;

-- name: items_insert
INSERT INTO inspect_plan_items (plan_id, item_no, tender_id, weight, probability, inspectors, departments)
SELECT $plan_id, i.item_no, i.tender_id, i.weight, i.probability, i.inspectors, i.departments
FROM (
  SELECT unnest(json_transform($rows::JSON, '[{"item_no": "INTEGER", "tender_id": "VARCHAR",
    "weight": "DOUBLE", "probability": "DOUBLE", "inspectors": ["VARCHAR"], "departments": ["VARCHAR"]}]'),
    recursive := true)
) i;

-- name: plan_get
SELECT plan_id, epoch_ms(created_at) AS created_ms, created_by, params::VARCHAR AS params, params_hash,
       commitment, roster_id, seed, nonce, epoch_ms(revealed_at) AS revealed_ms, revealed_by,
       summary::VARCHAR AS summary
FROM inspect_plans WHERE plan_id = $plan_id;

-- name: plan_list
SELECT plan_id, epoch_ms(created_at) AS created_ms, created_by, strftime(period_from, '%Y-%m-%d') AS period_from,
       strftime(period_to, '%Y-%m-%d') AS period_to, commitment, revealed_at IS NOT NULL AS revealed
FROM inspect_plans ORDER BY created_at, plan_id;

-- name: plan_candidates
SELECT tender_id, strftime(tender_date, '%Y-%m-%d') AS date, tenderee_id, agency_id, bidders, risk, risk_source,
       sanctioned, watched
FROM inspect_plan_candidates WHERE plan_id = $plan_id ORDER BY tender_id;

-- name: plan_items
SELECT item_no, tender_id, weight, probability, inspectors, departments, epoch_ms(published_at) AS published_ms
FROM inspect_plan_items WHERE plan_id = $plan_id ORDER BY item_no;

-- name: plan_reveal
UPDATE inspect_plans SET revealed_at = $now::TIMESTAMPTZ, revealed_by = $actor
WHERE plan_id = $plan_id AND revealed_at IS NULL;

-- name: result_insert
INSERT INTO inspect_results (plan_id, item_no, result_no, inspector, finding, inspected_on, recorded_at,
                             recorded_by)
SELECT $plan_id, $item_no, coalesce(max(result_no), 0) + 1, $inspector, $finding, $date::DATE,
       $now::TIMESTAMPTZ, $actor
FROM inspect_results WHERE plan_id = $plan_id AND item_no = $item_no
RETURNING result_no;

-- name: results
SELECT item_no, result_no, inspector, finding, strftime(inspected_on, '%Y-%m-%d') AS inspected_on,
       epoch_ms(recorded_at) AS recorded_ms, recorded_by
FROM inspect_results WHERE plan_id = $plan_id ORDER BY item_no, result_no;

-- name: items_publish
UPDATE inspect_plan_items SET published_at = $now::TIMESTAMPTZ
WHERE plan_id = $plan_id AND item_no IN (SELECT unnest($items::JSON::INTEGER[])) AND published_at IS NULL;

-- name: tender_titles
SELECT tender_id, any_value(title) AS title FROM tenders
WHERE tender_id IN (SELECT unnest($ids::JSON::VARCHAR[])) GROUP BY tender_id ORDER BY tender_id;
