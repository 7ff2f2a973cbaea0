-- name: shared_values
-- Identifier values shared by two or more different firms bidding the same tender, one row per
-- (field, value, tender), with how widely the value is used across the whole database (for hub discounting).
CREATE OR REPLACE TABLE feat_shared_values AS
WITH long AS (
  SELECT b.tender_id, b.firm_id, f.field, f.value
  FROM bids b,
  LATERAL (VALUES
    ('ip', b.ip), ('mac', b.mac), ('hardware_id', b.hardware_id), ('software_lock_id', b.software_lock_id),
    ('file_hash', b.file_hash), ('file_author', b.file_author), ('bond_account', b.bond_account),
    ('project_manager_id', b.project_manager_id), ('contact_phone', b.contact_phone)
  ) AS f(field, value)
  WHERE f.value IS NOT NULL
), usage AS (
  SELECT field, value, count(DISTINCT firm_id) AS value_firms, count(DISTINCT tender_id) AS value_tenders
  FROM long GROUP BY field, value
), per_tender AS (
  SELECT tender_id, field, value, list(DISTINCT firm_id ORDER BY firm_id) AS firms
  FROM long GROUP BY tender_id, field, value
  HAVING count(DISTINCT firm_id) >= 2
)
SELECT p.tender_id, p.field, p.value, p.firms, len(p.firms) AS n_firms, u.value_firms, u.value_tenders
FROM per_tender p JOIN usage u USING (field, value);

-- name: read_shared_values
SELECT tender_id, field, value, firms, n_firms, value_firms, value_tenders
FROM feat_shared_values WHERE list_contains($fields, field)
ORDER BY field, value, tender_id;
