-- name: regular_windows
-- Three bids adjacent in price whose two gaps are (nearly) equal in absolute or relative terms:
-- "prices with regular differences" (条例 Art. 40 (4)). Tied prices are left to IDENTICAL_PRICES.
CREATE OR REPLACE TABLE feat_regular_windows AS
WITH ranked AS (
  SELECT tender_id, firm_id, price::DOUBLE AS p,
         row_number() OVER (PARTITION BY tender_id ORDER BY price, firm_id) AS r
  FROM bids WHERE NOT coalesce(disqualified, false)
), w AS (
  SELECT a.tender_id, a.firm_id AS f1, b.firm_id AS f2, c.firm_id AS f3, a.p AS p1, b.p AS p2, c.p AS p3
  FROM ranked a
  JOIN ranked b ON b.tender_id = a.tender_id AND b.r = a.r + 1
  JOIN ranked c ON c.tender_id = a.tender_id AND c.r = a.r + 2
  WHERE a.p < b.p AND b.p < c.p
)
SELECT tender_id, f1, f2, f3, p1, p2, p3,
       abs((p3 - p2) - (p2 - p1)) / ((p3 - p1) / 2) AS gap_dev,
       abs((p3 / p2) - (p2 / p1)) / ((p3 / p1 - 1) / 2) AS ratio_dev,
       (p3 - p1) / p1 AS span
FROM w
WHERE (abs((p3 - p2) - (p2 - p1)) / ((p3 - p1) / 2) <= $tol OR abs((p3 / p2) - (p2 / p1)) / ((p3 / p1 - 1) / 2) <= $tol)
  AND (p3 - p1) / p1 <= $max_span;

-- name: regular_pairs
-- Firm pairs that sit together in such windows, with the tenders and the windows' numbers.
SELECT least(x.fa, x.fb) AS firm_a, greatest(x.fa, x.fb) AS firm_b,
       list(DISTINCT x.tender_id ORDER BY x.tender_id) AS tenders,
       count(DISTINCT x.tender_id)::INTEGER AS n_tenders,
       round(min(least(x.gap_dev, x.ratio_dev)), 6) AS best_dev
FROM (
  SELECT tender_id, f1 AS fa, f2 AS fb, gap_dev, ratio_dev FROM feat_regular_windows UNION ALL
  SELECT tender_id, f2, f3, gap_dev, ratio_dev FROM feat_regular_windows UNION ALL
  SELECT tender_id, f1, f3, gap_dev, ratio_dev FROM feat_regular_windows
) x
WHERE x.fa <> x.fb
GROUP BY 1, 2
HAVING count(DISTINCT x.tender_id) >= $min_tenders
ORDER BY firm_a, firm_b;

-- name: regular_tenders
SELECT tender_id, count(*)::INTEGER AS n_windows, round(min(least(gap_dev, ratio_dev)), 6) AS best_dev
FROM feat_regular_windows GROUP BY tender_id ORDER BY tender_id;
