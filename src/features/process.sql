-- Process facts for the cardinal-rs-style process flags (docs/process-flags.md), set-based over `tenders`
-- and `bids`. Every bid row is a submitted bid; `disqualified` true = disqualified, otherwise valid;
-- `is_winner` true = the bid won (an active award to its firm). Prices are compared as DOUBLE, as cardinal-rs
-- compares f64 amounts; equality (identical prices) is checked on the exact DECIMAL.
-- Bound parameters: $k (fence width in IQRs), $percentile (R025 upper fence percentile),
-- $min_bids (R038 minimum submitted bids per bidder), $min_tenders (R038 minimum tenders per tenderee/agency).

-- name: tenders
-- One row per tender (also tenders without bids, for the submission period).
CREATE OR REPLACE TABLE proc_tenders AS
WITH b AS (
  SELECT
    bid_id, tender_id, firm_id, price AS price_exact, CAST(price AS DOUBLE) AS price,
    coalesce(disqualified, false) AS disq, coalesce(is_winner, false) AS win, disqualify_reason
  FROM bids
),
agg AS (
  SELECT
    tender_id,
    count(*) AS n_bids,
    count(DISTINCT firm_id) AS n_firms,
    count(*) FILTER (WHERE NOT disq) AS n_valid_bids,
    count(*) FILTER (WHERE disq) AS n_disqualified_bids,
    list(DISTINCT firm_id ORDER BY firm_id) AS firms,
    coalesce(list(DISTINCT firm_id ORDER BY firm_id) FILTER (WHERE NOT disq), []) AS valid_firms,
    coalesce(list(DISTINCT firm_id ORDER BY firm_id) FILTER (WHERE disq), []) AS disqualified_firms,
    coalesce(list(DISTINCT firm_id ORDER BY firm_id) FILTER (WHERE win), []) AS winner_firms,
    min(price) AS lowest_price
  FROM b
  GROUP BY tender_id
),
-- The winning bid: the lowest valid bid of the single winning firm (cardinal-rs SecondLowestBidRatio).
win AS (
  SELECT b.tender_id, min(b.price) AS winner_price
  FROM b JOIN agg a USING (tender_id)
  WHERE len(a.winner_firms) = 1 AND b.firm_id = a.winner_firms[1] AND NOT b.disq
  GROUP BY b.tender_id
),
-- The lowest valid bid of any other firm, and the firms that bid it.
lnw AS (
  SELECT tender_id, min(price) AS lnw_price, list(DISTINCT firm_id ORDER BY firm_id) FILTER (WHERE rk = 1) AS lnw_firms
  FROM (
    SELECT b.tender_id, b.firm_id, b.price, rank() OVER (PARTITION BY b.tender_id ORDER BY b.price) AS rk
    FROM b JOIN agg a USING (tender_id)
    WHERE len(a.winner_firms) = 1 AND b.firm_id <> a.winner_firms[1] AND NOT b.disq
  )
  GROUP BY tender_id
),
-- The lowest submitted bid(s), valid or not (cardinal-rs R036).
low AS (
  SELECT
    b.tender_id,
    list(DISTINCT b.firm_id ORDER BY b.firm_id) AS lowest_firms,
    bool_and(b.disq) AS lowest_all_disqualified,
    coalesce(list(DISTINCT b.disqualify_reason ORDER BY b.disqualify_reason) FILTER (WHERE b.disqualify_reason IS NOT NULL), [])
      AS lowest_disqualify_reasons
  FROM b JOIN agg a ON a.tender_id = b.tender_id AND b.price = a.lowest_price
  GROUP BY b.tender_id
)
SELECT
  t.tender_id,
  t.category,
  t.method,
  t.evaluation_method,
  t.tenderee_id,
  t.agency_id,
  CAST(t.ceiling_price AS DOUBLE) AS ceiling_price,
  strftime(t.published_at, '%Y-%m-%d %H:%M:%S') AS published_at,
  strftime(t.bid_deadline, '%Y-%m-%d %H:%M:%S') AS bid_deadline,
  date_diff('second', t.published_at, t.bid_deadline) AS submission_seconds,
  -- cardinal-rs R003: whole elapsed days, (end − start).num_days(), truncated toward zero
  CAST(trunc(date_diff('second', t.published_at, t.bid_deadline) / 86400.0) AS INTEGER) AS submission_days_elapsed,
  -- Chinese period counting (民法典 Art. 201): calendar days, the first day not counted
  date_diff('day', CAST(t.published_at AS DATE), CAST(t.bid_deadline AS DATE)) AS submission_days_calendar,
  coalesce(a.n_bids, 0) AS n_bids,
  coalesce(a.n_firms, 0) AS n_firms,
  coalesce(a.n_valid_bids, 0) AS n_valid_bids,
  coalesce(a.n_disqualified_bids, 0) AS n_disqualified_bids,
  coalesce(a.firms, []) AS firms,
  coalesce(a.valid_firms, []) AS valid_firms,
  coalesce(a.disqualified_firms, []) AS disqualified_firms,
  -- firms with disqualified bids and no valid bid (cardinal-rs R035: disqualified minus valid tenderers)
  list_filter(coalesce(a.disqualified_firms, []), f -> NOT list_contains(coalesce(a.valid_firms, []), f))
    AS disqualified_only_firms,
  coalesce(a.winner_firms, []) AS winner_firms,
  w.winner_price,
  l.lnw_price AS lowest_non_winner_price,
  coalesce(l.lnw_firms, []) AS lowest_non_winner_firms,
  CASE WHEN w.winner_price > 0 AND l.lnw_price >= w.winner_price
    THEN (l.lnw_price - w.winner_price) / w.winner_price END AS second_lowest_ratio,
  a.lowest_price,
  coalesce(lo.lowest_firms, []) AS lowest_firms,
  coalesce(lo.lowest_all_disqualified, false) AS lowest_all_disqualified,
  coalesce(lo.lowest_disqualify_reasons, []) AS lowest_disqualify_reasons
FROM tenders t
LEFT JOIN agg a USING (tender_id)
LEFT JOIN win w USING (tender_id)
LEFT JOIN lnw l USING (tender_id)
LEFT JOIN low lo USING (tender_id);

-- name: identical_prices
-- Groups of two or more different firms that submitted the same exact price in one tender (cardinal-rs R028).
CREATE OR REPLACE TABLE proc_identical_prices AS
SELECT
  b.tender_id,
  CAST(b.price AS DOUBLE) AS price,
  list(DISTINCT b.firm_id ORDER BY b.firm_id) AS firms,
  count(DISTINCT b.firm_id) AS n_firms,
  coalesce(any_value(t.ceiling_price) = b.price, false) AS at_ceiling
FROM bids b
LEFT JOIN tenders t USING (tender_id)
GROUP BY b.tender_id, b.price
HAVING count(DISTINCT b.firm_id) >= 2;

-- name: late_winning_bids
-- Valid winning bids received after the submission deadline (cardinal-rs R030).
CREATE OR REPLACE TABLE proc_late_winning_bids AS
SELECT
  b.tender_id,
  b.bid_id,
  b.firm_id,
  strftime(b.submitted_at, '%Y-%m-%d %H:%M:%S') AS submitted_at,
  strftime(t.bid_deadline, '%Y-%m-%d %H:%M:%S') AS bid_deadline,
  date_diff('second', t.bid_deadline, b.submitted_at) AS late_seconds
FROM bids b
JOIN tenders t USING (tender_id)
WHERE coalesce(b.is_winner, false) AND NOT coalesce(b.disqualified, false) AND b.submitted_at > t.bid_deadline;

-- name: firm_wins
-- Per bidder, over tenders with exactly one winning firm: tenders with a valid bid and tenders won, each tender
-- counted once per firm (cardinal-rs R025).
CREATE OR REPLACE TABLE proc_firm_wins AS
SELECT
  b.firm_id,
  count(DISTINCT b.tender_id) AS n_valid_tenders,
  count(DISTINCT b.tender_id) FILTER (WHERE b.firm_id = t.winner_firms[1]) AS n_won,
  count(DISTINCT b.tender_id) FILTER (WHERE b.firm_id = t.winner_firms[1]) / count(DISTINCT b.tender_id) AS win_ratio,
  list(DISTINCT b.tender_id ORDER BY b.tender_id) AS tenders
FROM bids b
JOIN proc_tenders t USING (tender_id)
WHERE len(t.winner_firms) = 1 AND NOT coalesce(b.disqualified, false)
GROUP BY b.firm_id;

-- name: disqualification_rates
-- Disqualified / submitted bids per tenderee (cardinal-rs Buyer), agency (ProcuringEntity) and bidder (Tenderer),
-- with the tenders in which the subject saw disqualifications (cardinal-rs R038).
CREATE OR REPLACE TABLE proc_disqualification_rates AS
WITH per_tender AS (
  SELECT tender_id, tenderee_id, agency_id, n_bids, n_disqualified_bids FROM proc_tenders WHERE n_bids > 0
),
entity AS (
  SELECT s.subject, s.subject_id, p.tender_id, p.n_bids, p.n_disqualified_bids
  FROM per_tender p,
  LATERAL (VALUES ('tenderee', p.tenderee_id), ('agency', p.agency_id)) AS s(subject, subject_id)
  WHERE s.subject_id IS NOT NULL
),
rates AS (
  SELECT
    subject, subject_id,
    count(*) AS n_tenders,
    sum(n_bids) AS n_bids,
    sum(n_disqualified_bids) AS n_disqualified,
    coalesce(list(tender_id ORDER BY tender_id) FILTER (WHERE n_disqualified_bids > 0), []) AS tenders,
    count(*) >= $min_tenders AS eligible
  FROM entity GROUP BY subject, subject_id
  UNION ALL
  SELECT
    'bidder', firm_id,
    count(DISTINCT tender_id),
    count(*),
    count(*) FILTER (WHERE coalesce(disqualified, false)),
    coalesce(list(DISTINCT tender_id ORDER BY tender_id) FILTER (WHERE coalesce(disqualified, false)), []),
    count(*) >= $min_bids
  FROM bids GROUP BY firm_id
)
SELECT subject, subject_id, n_tenders, n_bids, n_disqualified, n_disqualified / n_bids AS ratio, tenders, eligible
FROM rates;

-- name: fences
-- Tukey fences per metric and group with cardinal-rs's quantiles: statrs `quantile(tau)`, Hyndman & Fan type 8
-- (h = (n + 1/3)·tau + 1/3; below the first order statistic → min, beyond the last → max; else linear between
-- x⌊h⌋ and x⌊h⌋+1). Lower fence Q1 − k·IQR, upper fence Q3 + k·IQR; `pct` is the $percentile-th percentile.
-- Group `*` is all values; submission periods also get one group per tender category.
CREATE OR REPLACE TABLE proc_fences AS
WITH metric_values AS (
  SELECT 'second_lowest_ratio' AS metric, '*' AS grp, second_lowest_ratio AS value
  FROM proc_tenders WHERE second_lowest_ratio IS NOT NULL
  UNION ALL
  SELECT 'win_ratio', '*', win_ratio FROM proc_firm_wins
  UNION ALL
  SELECT 'valid_tenders', '*', CAST(n_valid_tenders AS DOUBLE) FROM proc_firm_wins
  UNION ALL
  SELECT 'disqualified_ratio', subject, ratio FROM proc_disqualification_rates WHERE eligible
  UNION ALL
  SELECT m.metric, g.grp, m.value
  FROM proc_tenders t,
  LATERAL (VALUES ('submission_days_calendar', CAST(t.submission_days_calendar AS DOUBLE)),
                  ('submission_days_elapsed', CAST(t.submission_days_elapsed AS DOUBLE))) AS m(metric, value),
  LATERAL (VALUES ('*'), (t.category)) AS g(grp)
  WHERE m.value IS NOT NULL AND g.grp IS NOT NULL
),
grouped AS (
  SELECT metric, grp, count(*) AS n, list(CAST(value AS DOUBLE) ORDER BY value) AS xs
  FROM metric_values WHERE isfinite(value)
  GROUP BY metric, grp
),
taus AS (
  SELECT g.metric, g.grp, g.n, g.xs, q.name, q.tau, (CAST(g.n AS DOUBLE) + 1 / 3::DOUBLE) * q.tau + 1 / 3::DOUBLE AS h
  FROM grouped g,
  (VALUES ('q1', 0.25::DOUBLE), ('q3', 0.75::DOUBLE), ('pct', CAST($percentile AS DOUBLE) / 100)) AS q(name, tau)
),
quantiles AS (
  SELECT
    metric, grp, n, name,
    CASE
      WHEN tau = 0 OR floor(h) <= 0 THEN xs[1]
      WHEN tau = 1 OR floor(h) >= n THEN xs[n]
      ELSE xs[CAST(floor(h) AS BIGINT)] + (h - floor(h)) * (xs[CAST(floor(h) AS BIGINT) + 1] - xs[CAST(floor(h) AS BIGINT)])
    END AS q
  FROM taus
),
wide AS (
  SELECT
    metric, grp, n,
    max(q) FILTER (WHERE name = 'q1') AS q1,
    max(q) FILTER (WHERE name = 'q3') AS q3,
    max(q) FILTER (WHERE name = 'pct') AS pct
  FROM quantiles GROUP BY metric, grp, n
)
SELECT
  metric, grp, n, q1, q3, q3 - q1 AS iqr,
  q1 - CAST($k AS DOUBLE) * (q3 - q1) AS lower_fence,
  q3 + CAST($k AS DOUBLE) * (q3 - q1) AS upper_fence,
  CAST($percentile AS DOUBLE) AS percentile,
  pct
FROM wide;

-- Reads return one JSON object per row (`j`), parsed in JS: several times faster than converting list
-- columns value by value.

-- name: read_tenders
SELECT CAST(to_json(t) AS VARCHAR) AS j FROM proc_tenders t ORDER BY t.tender_id;

-- name: read_identical_prices
SELECT CAST(to_json(t) AS VARCHAR) AS j FROM proc_identical_prices t ORDER BY t.tender_id, t.price;

-- name: read_late_winning_bids
SELECT CAST(to_json(t) AS VARCHAR) AS j FROM proc_late_winning_bids t ORDER BY t.tender_id, t.bid_id;

-- name: read_firm_wins
SELECT CAST(to_json(t) AS VARCHAR) AS j FROM proc_firm_wins t ORDER BY t.firm_id;

-- name: read_disqualification_rates
SELECT CAST(to_json(t) AS VARCHAR) AS j FROM proc_disqualification_rates t ORDER BY t.subject, t.subject_id;

-- name: read_fences
SELECT CAST(to_json(t) AS VARCHAR) AS j FROM proc_fences t ORDER BY t.metric, t.grp;
