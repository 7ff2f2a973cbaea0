-- name: firm_key_injective
-- Whether hash(firm_id) tells the firms apart (no two ids share a 64-bit hash), so it can stand in for them.
SELECT count(DISTINCT firm_id) = count(DISTINCT hash(firm_id)) AS ok FROM bids;

-- name: identity_long
-- Every non-empty identifier of every bid, one row per (bid, field), for the values that two or more
-- different firms use: a value only one firm uses is shared by no two bidders, in a tender or across
-- tenders, so no feature below can use it (and cheap min/max per value finds them without a row per bid
-- and identifier). Placeholder values are dropped here.
-- {{firm_key}} is replaced by the wrapper: hash(firm_id) when firm_key_injective holds (integers compare
-- faster than text), else firm_id. Each value gets an integer id (vid, internal: never stored or read),
-- and feat_identity_long keeps only (vid, tender, firm): later steps group and join on the integer,
-- not on the value text.
CREATE OR REPLACE TEMP TABLE feat_identity_multi AS
WITH vals AS (
  SELECT 'ip' AS field, ip AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY ip
  UNION ALL
  SELECT 'mac' AS field, mac AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY mac
  UNION ALL
  SELECT 'hardware_id' AS field, hardware_id AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY hardware_id
  UNION ALL
  SELECT 'software_lock_id' AS field, software_lock_id AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY software_lock_id
  UNION ALL
  SELECT 'file_hash' AS field, file_hash AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY file_hash
  UNION ALL
  SELECT 'file_author' AS field, file_author AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY file_author
  UNION ALL
  SELECT 'bond_account' AS field, bond_account AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY bond_account
  UNION ALL
  SELECT 'project_manager_id' AS field, project_manager_id AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY project_manager_id
  UNION ALL
  SELECT 'contact_phone' AS field, contact_phone AS value, min({{firm_key}}) AS f0, max({{firm_key}}) AS f1 FROM bids GROUP BY contact_phone
)
-- (The placeholder test sits inside the CASE so that it runs once per value, after the grouping: on its
-- own, the optimiser would push it below the GROUP BY and run it once per bid. It is a list_contains, not
-- NOT IN: the optimiser turns NOT IN into a join that runs for every value, also the single-firm ones the
-- CASE leaves out, and most values (file hashes above all) belong to one firm.)
SELECT row_number() OVER ()::INTEGER AS vid, field, value FROM vals
WHERE value IS NOT NULL
  AND CASE WHEN f0 <> f1 THEN NOT list_contains(['0.0.0.0', '127.0.0.1', '::1', '00:00:00:00:00:00',
    'FF:FF:FF:FF:FF:FF', 'UNKNOWN', 'NULL', 'NONE', 'N/A', '-', '0', '无', '未知', 'D41D8CD98F00B204E9800998ECF8427E'],
    upper(trim(value)))
    ELSE false END;
CREATE OR REPLACE TEMP TABLE feat_identity_long AS
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'ip' AND m.value = b.ip
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'mac' AND m.value = b.mac
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'hardware_id' AND m.value = b.hardware_id
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'software_lock_id' AND m.value = b.software_lock_id
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'file_hash' AND m.value = b.file_hash
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'file_author' AND m.value = b.file_author
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'bond_account' AND m.value = b.bond_account
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'project_manager_id' AND m.value = b.project_manager_id
UNION ALL
SELECT m.vid, b.tender_id, b.firm_id FROM bids b JOIN feat_identity_multi m ON m.field = 'contact_phone' AND m.value = b.contact_phone;

-- name: value_usage
-- How widely each value is used across the whole database (values used by two or more firms): counted
-- per value id (feat_identity_usage, which the steps below join on), then stored with the values.
CREATE OR REPLACE TEMP TABLE feat_identity_usage AS
SELECT vid, count(DISTINCT firm_id) AS value_firms, count(DISTINCT tender_id) AS value_tenders
FROM feat_identity_long GROUP BY vid;

CREATE OR REPLACE TABLE feat_value_usage AS
SELECT m.field, m.value, u.value_firms, u.value_tenders
FROM feat_identity_usage u JOIN feat_identity_multi m USING (vid);

-- name: hub_fences
-- Data-driven hub threshold per field: over values used by two or more firms, the upper fence
-- Q3 + k·IQR of the number of firms per value, never below the configured floor.
SELECT field,
       count(*)::INTEGER AS n_values,
       quantile_cont(value_firms, 0.25) AS q1,
       quantile_cont(value_firms, 0.75) AS q3
FROM feat_value_usage WHERE value_firms >= 2 GROUP BY field ORDER BY field;

-- name: shared_values
-- Identifier values shared by two or more different firms bidding the same tender.
-- Most (tender, value) groups hold one firm, so the groups are found with cheap min/max first and the
-- sorted firm lists are built only for the groups that share. {{firm_key}}: as in identity_long.
CREATE OR REPLACE TABLE feat_shared_values AS
WITH shared AS (
  SELECT tender_id, vid FROM feat_identity_long
  GROUP BY tender_id, vid
  HAVING min({{firm_key}}) <> max({{firm_key}})
), per_tender AS (
  SELECT l.tender_id, l.vid, list(DISTINCT l.firm_id ORDER BY l.firm_id) AS firms
  FROM feat_identity_long l SEMI JOIN shared s USING (tender_id, vid)
  GROUP BY l.tender_id, l.vid
)
SELECT p.tender_id, m.field, m.value, p.firms, len(p.firms) AS n_firms, u.value_firms, u.value_tenders
FROM per_tender p JOIN feat_identity_usage u USING (vid) JOIN feat_identity_multi m USING (vid);

-- name: read_shared_values
SELECT tender_id, field, value, firms, n_firms, value_firms, value_tenders
FROM feat_shared_values WHERE list_contains($fields, field)
ORDER BY field, value, tender_id;

-- name: cross_tender
-- Firms that are competitors (they bid against each other at least once) and used the same device,
-- account or project manager in different tenders. Values used by more than $max_firms firms are hubs
-- and skipped here already (bounded cost).
CREATE OR REPLACE TABLE feat_cross_tender AS
WITH usage AS (
  SELECT u.vid, m.field, m.value, u.value_firms, u.value_tenders
  FROM feat_identity_usage u JOIN feat_identity_multi m USING (vid)
  WHERE u.value_firms BETWEEN 2 AND $max_firms
    AND m.field IN ('mac', 'hardware_id', 'software_lock_id', 'file_hash', 'bond_account', 'project_manager_id')
), vf AS (
  SELECT l.vid, l.firm_id, list(DISTINCT l.tender_id ORDER BY l.tender_id) AS tenders
  FROM feat_identity_long l SEMI JOIN usage u USING (vid)
  GROUP BY l.vid, l.firm_id
), pairs AS (
  SELECT a.vid, a.firm_id AS firm_a, b.firm_id AS firm_b, a.tenders AS tenders_a, b.tenders AS tenders_b
  FROM vf a JOIN vf b ON a.vid = b.vid AND a.firm_id < b.firm_id
), bids_a AS MATERIALIZED (
  -- The tenders of each pair's first firm, then the second firm's bids in them. Straight from bids: a
  -- firm's second bid in a tender only repeats a row the DISTINCT count drops. (Materialised so that
  -- the planner cannot join bids to bids on the tender alone first.)
  SELECT p.firm_a, p.firm_b, x.tender_id
  FROM (SELECT DISTINCT firm_a, firm_b FROM pairs) p
  JOIN bids x ON x.firm_id = p.firm_a
), met AS (
  SELECT a.firm_a, a.firm_b, count(DISTINCT a.tender_id) AS n_met
  FROM bids_a a
  JOIN bids y ON y.firm_id = a.firm_b AND y.tender_id = a.tender_id
  GROUP BY a.firm_a, a.firm_b
)
SELECT u.field, u.value, p.firm_a, p.firm_b, p.tenders_a, p.tenders_b, u.value_firms, u.value_tenders, m.n_met
FROM pairs p JOIN usage u USING (vid) JOIN met m USING (firm_a, firm_b);

-- name: read_cross_tender
SELECT field, value, firm_a, firm_b, tenders_a, tenders_b, value_firms, value_tenders, n_met
FROM feat_cross_tender ORDER BY field, value, firm_a, firm_b;

-- name: people_links
-- Two bidders of one tender with the same person behind them (legal representative, shareholder,
-- director or manager; from firm_people and firms.legal_rep_id).
CREATE OR REPLACE TABLE feat_people_links AS
WITH people AS (
  SELECT firm_id, person_id, role FROM firm_people WHERE role IN ('legal_rep', 'shareholder', 'director', 'manager')
  UNION
  SELECT firm_id, legal_rep_id, 'legal_rep' FROM firms WHERE legal_rep_id IS NOT NULL
), usage AS (
  SELECT person_id, count(DISTINCT firm_id) AS person_firms FROM people GROUP BY person_id
), person_pairs AS (
  SELECT a.person_id, a.firm_id AS firm_a, b.firm_id AS firm_b,
         list(DISTINCT a.role ORDER BY a.role) AS roles_a, list(DISTINCT b.role ORDER BY b.role) AS roles_b
  FROM people a JOIN people b ON a.person_id = b.person_id AND a.firm_id < b.firm_id
  GROUP BY a.person_id, a.firm_id, b.firm_id
)
-- Straight from bids: a firm's second bid in a tender only repeats a tender the DISTINCT list drops.
SELECT pp.person_id, pp.firm_a, pp.firm_b, pp.roles_a, pp.roles_b, u.person_firms,
       list(DISTINCT x.tender_id ORDER BY x.tender_id) AS tenders
FROM person_pairs pp
JOIN usage u USING (person_id)
JOIN bids x ON x.firm_id = pp.firm_a
JOIN bids y ON y.firm_id = pp.firm_b AND y.tender_id = x.tender_id
GROUP BY ALL;

-- name: read_people_links
SELECT person_id, firm_a, firm_b, roles_a, roles_b, person_firms, tenders
FROM feat_people_links ORDER BY firm_a, firm_b, person_id;

-- name: drop_temp
DROP TABLE IF EXISTS feat_identity_long;
DROP TABLE IF EXISTS feat_identity_multi;
DROP TABLE IF EXISTS feat_identity_usage;
