-- Process facts for the cardinal-rs-style process flags (docs/process-flags.md), set-based over `tenders`
-- and `bids`. Every bid row is a submitted bid; `disqualified` true = disqualified, otherwise valid;
-- `is_winner` true = the bid won (an active award to its firm). Prices are compared as DOUBLE, as cardinal-rs
-- compares f64 amounts; equality (identical prices) is checked on the exact DECIMAL.
-- Bound parameters: $k (fence width in IQRs), $percentile (R025 upper fence percentile),
-- $min_bids (R038 minimum submitted bids per bidder), $min_tenders (R038 minimum tenders per tenderee/agency).

-- name: tenders
-- One row per tender (also tenders without bids, for the submission period). The bids are first reduced to one
-- row per tender and firm, then each tender's firms become one list sorted by firm id: the firm lists (valid,
-- disqualified, winning…) are filters of that list and the prices come from each firm's lowest bids, so no
-- list of a million bids is sorted or made distinct more than once.
-- A firm's bids at the tender's lowest price are its bids at its own lowest price, and one of them is valid
-- exactly when its lowest valid price is that price.
CREATE OR REPLACE TEMP TABLE proc_tenders AS
WITH tender_firms AS (
  SELECT
    tender_id, firm_id,
    count(*) AS n_bids,
    count(*) FILTER (WHERE coalesce(disqualified, false)) AS n_disqualified,
    bool_or(coalesce(is_winner, false)) AS won,
    min(CAST(price AS DOUBLE)) AS min_price,
    min(CAST(price AS DOUBLE)) FILTER (WHERE NOT coalesce(disqualified, false)) AS min_valid_price,
    list({'p': CAST(price AS DOUBLE), 'r': disqualify_reason}) FILTER (WHERE disqualify_reason IS NOT NULL) AS reasons
  FROM bids
  GROUP BY tender_id, firm_id
),
per_tender AS (
  SELECT
    tender_id,
    CAST(sum(n_bids) AS BIGINT) AS n_bids,
    count(*) AS n_firms,
    CAST(sum(n_bids - n_disqualified) AS BIGINT) AS n_valid_bids,
    CAST(sum(n_disqualified) AS BIGINT) AS n_disqualified_bids,
    min(min_price) AS lowest_price,
    list_sort(list({'f': firm_id, 'valid': n_bids > n_disqualified, 'disq': n_disqualified > 0, 'won': won,
                    'mp': min_price, 'mvp': min_valid_price})) AS fs,
    -- Disqualify reasons stay out of the sorted firm structs (sorting them cost more than the rare reasons
    -- are worth); a reason at the tender's lowest price belongs to a firm whose own lowest price that is.
    flatten(list(reasons) FILTER (WHERE reasons IS NOT NULL)) AS reasons
  FROM tender_firms
  GROUP BY tender_id
),
lists AS (
  SELECT
    tender_id, n_bids, n_firms, n_valid_bids, n_disqualified_bids, lowest_price, reasons,
    list_transform(fs, x -> x.f) AS firms,
    list_transform(list_filter(fs, x -> x.valid), x -> x.f) AS valid_firms,
    list_transform(list_filter(fs, x -> x.disq), x -> x.f) AS disqualified_firms,
    -- firms with disqualified bids and no valid bid (cardinal-rs R035: disqualified minus valid tenderers)
    list_transform(list_filter(fs, x -> x.disq AND NOT x.valid), x -> x.f) AS disqualified_only_firms,
    list_filter(fs, x -> x.won) AS winners,
    list_filter(fs, x -> NOT x.won) AS others,
    list_filter(fs, x -> x.mp = lowest_price) AS lows
  FROM per_tender
),
agg AS (
  SELECT
    tender_id, n_bids, n_firms, n_valid_bids, n_disqualified_bids, firms, valid_firms, disqualified_firms,
    disqualified_only_firms, list_transform(winners, x -> x.f) AS winner_firms, lowest_price,
    -- With a single winning firm: its lowest valid bid (cardinal-rs SecondLowestBidRatio), and the lowest valid
    -- bid of any other firm.
    CASE WHEN len(winners) = 1 THEN winners[1].mvp END AS winner_price,
    CASE WHEN len(winners) = 1 THEN list_min(list_transform(others, x -> x.mvp)) END AS lnw_price,
    -- The lowest submitted bid(s), valid or not (cardinal-rs R036).
    list_transform(lows, x -> x.f) AS lowest_firms,
    NOT list_bool_or(list_transform(lows, x -> x.mvp IS NOT DISTINCT FROM lowest_price)) AS lowest_all_disqualified,
    list_sort(list_distinct(list_transform(
      list_filter(reasons, y -> y.p = lowest_price), y -> y.r
    ))) AS lowest_disqualify_reasons,
    others
  FROM lists
),
-- Only what the table keeps goes through the join with `tenders` (nested lists are costly to move).
facts AS (
  SELECT
    * EXCLUDE (others),
    -- The firms whose lowest valid bid is the lowest valid bid of the other firms.
    list_transform(list_filter(others, x -> x.mvp = lnw_price), x -> x.f) AS lnw_firms
  FROM agg
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
  coalesce(a.disqualified_only_firms, []) AS disqualified_only_firms,
  coalesce(a.winner_firms, []) AS winner_firms,
  a.winner_price,
  a.lnw_price AS lowest_non_winner_price,
  coalesce(a.lnw_firms, []) AS lowest_non_winner_firms,
  CASE WHEN a.winner_price > 0 AND a.lnw_price >= a.winner_price
    THEN (a.lnw_price - a.winner_price) / a.winner_price END AS second_lowest_ratio,
  a.lowest_price,
  coalesce(a.lowest_firms, []) AS lowest_firms,
  coalesce(a.lowest_all_disqualified, false) AS lowest_all_disqualified,
  coalesce(a.lowest_disqualify_reasons, []) AS lowest_disqualify_reasons
FROM tenders t
LEFT JOIN facts a USING (tender_id);

-- name: identical_prices
-- Groups of two or more different firms that submitted the same exact price in one tender (cardinal-rs R028).
-- Only prices bid more than once in a tender can qualify: they are found with a plain count first, so the
-- distinct firm lists are built for those few groups, not for every bid.
CREATE OR REPLACE TEMP TABLE proc_identical_prices AS
WITH repeated AS (
  SELECT tender_id, price FROM bids GROUP BY tender_id, price HAVING count(*) >= 2
)
SELECT
  b.tender_id,
  CAST(b.price AS DOUBLE) AS price,
  list(DISTINCT b.firm_id ORDER BY b.firm_id) AS firms,
  count(DISTINCT b.firm_id) AS n_firms,
  coalesce(any_value(t.ceiling_price) = b.price, false) AS at_ceiling
FROM bids b
SEMI JOIN repeated r ON r.tender_id = b.tender_id AND r.price = b.price
LEFT JOIN tenders t USING (tender_id)
GROUP BY b.tender_id, b.price
HAVING count(DISTINCT b.firm_id) >= 2;

-- name: late_winning_bids
-- Valid winning bids received after the submission deadline (cardinal-rs R030).
CREATE OR REPLACE TEMP TABLE proc_late_winning_bids AS
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

-- name: firm_tenders
-- One row per bidder and tender with its submitted and disqualified bids: the wins and the bidders'
-- disqualification rates below count tenders per firm from here instead of counting distinct tenders over
-- every bid twice.
CREATE OR REPLACE TEMP TABLE proc_firm_tenders AS
SELECT firm_id, tender_id, count(*) AS n_bids, count(*) FILTER (WHERE coalesce(disqualified, false)) AS n_disqualified
FROM bids
GROUP BY firm_id, tender_id;

-- name: firm_wins
-- Per bidder, over tenders with exactly one winning firm: tenders with a valid bid and tenders won, each tender
-- counted once per firm (cardinal-rs R025). The tenders themselves are listed in process.ts from proc_tenders
-- (already read there): a list per firm here cost more than the counts and then had to be read back as well.
CREATE OR REPLACE TEMP TABLE proc_firm_wins AS
SELECT
  f.firm_id,
  count(*) AS n_valid_tenders,
  count(*) FILTER (WHERE f.firm_id = t.winner) AS n_won,
  count(*) FILTER (WHERE f.firm_id = t.winner) / count(*) AS win_ratio
FROM proc_firm_tenders f
JOIN (SELECT tender_id, winner_firms[1] AS winner FROM proc_tenders WHERE len(winner_firms) = 1) t USING (tender_id)
WHERE f.n_bids > f.n_disqualified
GROUP BY f.firm_id;

-- name: disqualification_rates
-- Disqualified / submitted bids per tenderee (cardinal-rs Buyer), agency (ProcuringEntity) and bidder (Tenderer),
-- with the tenders in which the subject saw disqualifications (cardinal-rs R038).
CREATE OR REPLACE TEMP TABLE proc_disqualification_rates AS
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
    count(*),
    sum(n_bids),
    sum(n_disqualified),
    coalesce(list(tender_id ORDER BY tender_id) FILTER (WHERE n_disqualified > 0), []),
    sum(n_bids) >= $min_bids
  FROM proc_firm_tenders GROUP BY firm_id
)
SELECT subject, subject_id, n_tenders, n_bids, n_disqualified, n_disqualified / n_bids AS ratio, tenders, eligible
FROM rates;

-- name: fences
-- Tukey fences per metric and group with cardinal-rs's quantiles: statrs `quantile(tau)`, Hyndman & Fan type 8
-- (h = (n + 1/3)·tau + 1/3; below the first order statistic → min, beyond the last → max; else linear between
-- x⌊h⌋ and x⌊h⌋+1). Lower fence Q1 − k·IQR, upper fence Q3 + k·IQR; `pct` is the $percentile-th percentile.
-- Group `*` is all values; submission periods also get one group per tender category.
CREATE OR REPLACE TEMP TABLE proc_fences AS
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

-- name: read_rows
-- The rows of one proc_* table as one JSON array of values per row (column names are taken from DESCRIBE once,
-- not repeated in every row), parsed in JS: several times faster than converting list columns value by value.
-- {{columns}}, {{table}} and {{order}} are ident()-quoted names filled in by process.ts.
SELECT CAST(json_array({{columns}}) AS VARCHAR) AS j FROM {{table}} ORDER BY {{order}};
