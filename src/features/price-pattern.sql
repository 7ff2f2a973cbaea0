-- name: regular_windows
-- Three bids adjacent in price whose two gaps are (nearly) equal in absolute or relative terms:
-- "prices with regular differences" (条例 Art. 40 (4)). Tied prices are left to IDENTICAL_PRICES.
CREATE OR REPLACE TABLE feat_regular_windows AS
-- Each valid bid with the next two in price order (ties by firm): one window pass, no self-joins on rank.
WITH w AS (
  SELECT * FROM (
    SELECT tender_id, firm_id AS f1, price::DOUBLE AS p1,
           lead(firm_id, 1) OVER win AS f2, lead(price::DOUBLE, 1) OVER win AS p2,
           lead(firm_id, 2) OVER win AS f3, lead(price::DOUBLE, 2) OVER win AS p3
    FROM bids WHERE NOT coalesce(disqualified, false)
    WINDOW win AS (PARTITION BY tender_id ORDER BY price, firm_id)
  )
  WHERE p1 < p2 AND p2 < p3
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
